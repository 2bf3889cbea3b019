"""The BFF's only gateway to Magento: operations (as .graphql files) and the HTTP client."""
