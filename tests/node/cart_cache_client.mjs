// Apollo Client 4 with a default InMemoryCache (no typePolicies) against a running BFF.
// Usage: node cart_cache_client.mjs http://127.0.0.1:PORT/graphql
// Watches two cart queries (a cart page and a header badge), runs addToCart, updateCartItems,
// removeCartItem, checkout, signIn and signOut, and prints as one JSON line what each watched query
// showed after each step and the operations sent over HTTP (so a refetch would show).
// The session is a mobile client's: the X-Session-Token response header, sent back as Bearer.
// tests/node/test_cart_cache.py asserts on the output.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

const uri = process.argv[2];
const sent = [];
let token = null;

async function sessionFetch(input, init) {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  sent.push(`${init.method} ${JSON.parse(init.body).operationName}`);
  const response = await fetch(input, { ...init, headers });
  token = response.headers.get("x-session-token") ?? token;
  return response;
}

const client = new ApolloClient({ link: new HttpLink({ uri, fetch: sessionFetch }), cache: new InMemoryCache() });

const CART_PAGE = gql`
  query CartPage {
    cart { id totalQuantity items { id quantity } }
  }
`;
const CART_BADGE = gql`
  query CartBadge {
    cart { id totalQuantity }
  }
`;
const CART = "cart { id totalQuantity items { id uid quantity } }";
const ADD = gql`mutation Add($items: [CartItemInput!]!) { addToCart(items: $items) { ${CART} userErrors { code } } }`;
const UPDATE = gql`
  mutation Update($items: [CartItemUpdateInput!]!) { updateCartItems(items: $items) { ${CART} userErrors { code } } }
`;
const REMOVE = gql`mutation Remove($uid: ID!) { removeCartItem(uid: $uid) { ${CART} userErrors { code } } }`;
const CHECKOUT = gql`
  mutation Checkout($input: CheckoutInput!) { checkout(input: $input) { order { id } ${CART} userErrors { code } } }
`;
const SIGN_IN = gql`
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) { viewer { signedIn } ${CART} userErrors { code } }
  }
`;
const SIGN_OUT = gql`mutation SignOut { signOut { viewer { signedIn } ${CART} userErrors { code } } }`;

const shown = { CartPage: null, CartBadge: null };
const subscriptions = [CART_PAGE, CART_BADGE].map((query) => {
  const name = query.definitions[0].name.value;
  return client.watchQuery({ query }).subscribe({
    next: (result) => {
      if (result.data) shown[name] = result.data.cart;
    },
    error: (error) => {
      shown[name] = { error: String(error) };
    },
  });
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
const steps = [];
let reported = 0; // requests already in a step's report
async function step(name, mutation, variables) {
  let cart = null;
  let userErrors = [];
  let mutationCart = null;
  if (mutation) {
    const { data } = await client.mutate({ mutation, variables });
    const payload = Object.values(data)[0];
    cart = payload.cart;
    mutationCart = { ...cart, items: cart.items.map(({ uid, ...line }) => line) };
    userErrors = payload.userErrors.map((e) => e.code);
  }
  await settle();
  steps.push({ step: name, requests: sent.slice(reported), userErrors, mutationCart, ...structuredClone(shown) });
  reported = sent.length;
  return cart;
}

const input = {
  idempotencyKey: "node-cart-cache-0001",
  email: "jane@example.com",
  shippingAddress: {
    firstname: "Jane", lastname: "Doe", street: ["1 Main St"], city: "Austin", region: "TX",
    postcode: "78701", countryCode: "US", telephone: "5125550100",
  },
  shippingMethod: { carrierCode: "flatrate", methodCode: "flatrate" },
  paymentMethod: { code: "checkmo" },
};

// The watched queries' first answers come over the network: wait for both (a loaded machine may be slow).
for (let waited = 0; (shown.CartPage === null || shown.CartBadge === null) && waited < 10000; waited += 20) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await step("watch");
let cart = await step("addToCart", ADD, { items: [{ sku: "BAG-001", quantity: 2 }, { sku: "BAG-002", quantity: 1 }] });
const [bag1, bag2] = cart.items;
await step("updateCartItems", UPDATE, { items: [{ uid: bag1.uid, quantity: 3 }] });
await step("removeCartItem", REMOVE, { uid: bag2.uid });
await step("checkout", CHECKOUT, { input });
await step("addToCart again", ADD, { items: [{ sku: "BAG-002", quantity: 1 }] });
await step("signIn", SIGN_IN, { email: "roni_cost@example.com", password: "Roni-Cost-3" });
await step("signOut", SIGN_OUT);

subscriptions.forEach((s) => s.unsubscribe());
console.log(JSON.stringify({ steps }));
