"""Country and region data for the ``countries``/``country`` queries and for address validation.

Region ids are Magento's ``directory_country_region.region_id`` values of a default install
(Alabama=1 … California=12 … Michigan=33 … New York=43 … Texas=57 …, then Canada 66-78,
Germany 79-94, Austria 95-103, Switzerland 104-129).

Address rules (used by the cart and customer modules):

* ``country_requires_region(code)``: Magento's ``general/region/state_required``. The sandbox
  requires a region exactly for the countries it has a region list for (US, CA, DE, AT, CH), so
  every required region can be validated with ``find_region``.
* ``country_requires_postcode(code)``: every country except Magento's
  ``general/country/optional_zip_countries`` default (HK, IE, MO, PA, GB).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, also the GraphQL ``id``
    iso3: str
    name_en: str
    name_de: str
    regions: tuple[Region, ...] = ()

    def name_in(self, locale: str) -> str:
        """``full_name_locale`` for a store locale (the sandbox speaks en_US and de_DE)."""
        return self.name_de if locale.startswith("de") else self.name_en


def _regions(first_id: int, rows: str) -> tuple[Region, ...]:
    """Regions from "CODE:Name" entries separated by ";", numbered from ``first_id``."""
    entries = [row.strip() for row in rows.split(";") if row.strip()]
    return tuple(
        Region(first_id + i, code, name) for i, (code, name) in enumerate(entry.split(":", 1) for entry in entries)
    )


_US = _regions(
    1,
    "AL:Alabama; AK:Alaska; AS:American Samoa; AZ:Arizona; AR:Arkansas; AE:Armed Forces Africa;"
    "AA:Armed Forces Americas; AE:Armed Forces Canada; AE:Armed Forces Europe;"
    "AE:Armed Forces Middle East; AP:Armed Forces Pacific; CA:California; CO:Colorado;"
    "CT:Connecticut; DE:Delaware; DC:District of Columbia; FM:Federated States Of Micronesia;"
    "FL:Florida; GA:Georgia; GU:Guam; HI:Hawaii; ID:Idaho; IL:Illinois; IN:Indiana; IA:Iowa;"
    "KS:Kansas; KY:Kentucky; LA:Louisiana; ME:Maine; MH:Marshall Islands; MD:Maryland;"
    "MA:Massachusetts; MI:Michigan; MN:Minnesota; MS:Mississippi; MO:Missouri; MT:Montana;"
    "NE:Nebraska; NV:Nevada; NH:New Hampshire; NJ:New Jersey; NM:New Mexico; NY:New York;"
    "NC:North Carolina; ND:North Dakota; MP:Northern Mariana Islands; OH:Ohio; OK:Oklahoma;"
    "OR:Oregon; PW:Palau; PA:Pennsylvania; PR:Puerto Rico; RI:Rhode Island; SC:South Carolina;"
    "SD:South Dakota; TN:Tennessee; TX:Texas; UT:Utah; VT:Vermont; VI:Virgin Islands; VA:Virginia;"
    "WA:Washington; WV:West Virginia; WI:Wisconsin; WY:Wyoming",
)
_CA = _regions(
    66,
    "AB:Alberta; BC:British Columbia; MB:Manitoba; NL:Newfoundland and Labrador; NB:New Brunswick;"
    "NS:Nova Scotia; NT:Northwest Territories; NU:Nunavut; ON:Ontario; PE:Prince Edward Island;"
    "QC:Quebec; SK:Saskatchewan; YT:Yukon Territory",
)
_DE = _regions(
    79,
    "NDS:Niedersachsen; BAW:Baden-Württemberg; BAY:Bayern; BER:Berlin; BRG:Brandenburg; BRE:Bremen;"
    "HAM:Hamburg; HES:Hessen; MEC:Mecklenburg-Vorpommern; NRW:Nordrhein-Westfalen;"
    "RHE:Rheinland-Pfalz; SAR:Saarland; SAS:Sachsen; SAC:Sachsen-Anhalt; SCN:Schleswig-Holstein;"
    "THE:Thüringen",
)
_AT = _regions(
    95,
    "WI:Wien; NO:Niederösterreich; OO:Oberösterreich; SB:Salzburg; KN:Kärnten; ST:Steiermark;"
    "TI:Tirol; BL:Burgenland; VB:Vorarlberg",
)
_CH = _regions(
    104,
    "AG:Aargau; AI:Appenzell Innerrhoden; AR:Appenzell Ausserrhoden; BE:Bern; BL:Basel-Landschaft;"
    "BS:Basel-Stadt; FR:Freiburg; GE:Genf; GL:Glarus; GR:Graubünden; JU:Jura; LU:Luzern;"
    "NE:Neuenburg; NW:Nidwalden; OW:Obwalden; SG:St. Gallen; SH:Schaffhausen; SO:Solothurn;"
    "SZ:Schwyz; TG:Thurgau; TI:Tessin; UR:Uri; VD:Waadt; VS:Wallis; ZG:Zug; ZH:Zürich",
)

_REGIONS: dict[str, tuple[Region, ...]] = {"US": _US, "CA": _CA, "DE": _DE, "AT": _AT, "CH": _CH}

# code, alpha-3, English name, German name
_COUNTRY_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("AE", "ARE", "United Arab Emirates", "Vereinigte Arabische Emirate"),
    ("AT", "AUT", "Austria", "Österreich"),
    ("AU", "AUS", "Australia", "Australien"),
    ("BE", "BEL", "Belgium", "Belgien"),
    ("BG", "BGR", "Bulgaria", "Bulgarien"),
    ("BR", "BRA", "Brazil", "Brasilien"),
    ("CA", "CAN", "Canada", "Kanada"),
    ("CH", "CHE", "Switzerland", "Schweiz"),
    ("CN", "CHN", "China", "China"),
    ("CY", "CYP", "Cyprus", "Zypern"),
    ("CZ", "CZE", "Czechia", "Tschechien"),
    ("DE", "DEU", "Germany", "Deutschland"),
    ("DK", "DNK", "Denmark", "Dänemark"),
    ("EE", "EST", "Estonia", "Estland"),
    ("ES", "ESP", "Spain", "Spanien"),
    ("FI", "FIN", "Finland", "Finnland"),
    ("FR", "FRA", "France", "Frankreich"),
    ("GB", "GBR", "United Kingdom", "Vereinigtes Königreich"),
    ("GR", "GRC", "Greece", "Griechenland"),
    ("HK", "HKG", "Hong Kong SAR China", "Sonderverwaltungsregion Hongkong"),
    ("HR", "HRV", "Croatia", "Kroatien"),
    ("HU", "HUN", "Hungary", "Ungarn"),
    ("IE", "IRL", "Ireland", "Irland"),
    ("IL", "ISR", "Israel", "Israel"),
    ("IN", "IND", "India", "Indien"),
    ("IS", "ISL", "Iceland", "Island"),
    ("IT", "ITA", "Italy", "Italien"),
    ("JP", "JPN", "Japan", "Japan"),
    ("KR", "KOR", "South Korea", "Südkorea"),
    ("LI", "LIE", "Liechtenstein", "Liechtenstein"),
    ("LT", "LTU", "Lithuania", "Litauen"),
    ("LU", "LUX", "Luxembourg", "Luxemburg"),
    ("LV", "LVA", "Latvia", "Lettland"),
    ("MT", "MLT", "Malta", "Malta"),
    ("MX", "MEX", "Mexico", "Mexiko"),
    ("NL", "NLD", "Netherlands", "Niederlande"),
    ("NO", "NOR", "Norway", "Norwegen"),
    ("NZ", "NZL", "New Zealand", "Neuseeland"),
    ("PA", "PAN", "Panama", "Panama"),
    ("PL", "POL", "Poland", "Polen"),
    ("PT", "PRT", "Portugal", "Portugal"),
    ("RO", "ROU", "Romania", "Rumänien"),
    ("SE", "SWE", "Sweden", "Schweden"),
    ("SG", "SGP", "Singapore", "Singapur"),
    ("SI", "SVN", "Slovenia", "Slowenien"),
    ("SK", "SVK", "Slovakia", "Slowakei"),
    ("TR", "TUR", "Turkey", "Türkei"),
    ("UA", "UKR", "Ukraine", "Ukraine"),
    ("US", "USA", "United States", "Vereinigte Staaten"),
    ("ZA", "ZAF", "South Africa", "Südafrika"),
)

COUNTRIES: dict[str, Country] = {
    code: Country(code, iso3, name_en, name_de, _REGIONS.get(code, ()))
    for code, iso3, name_en, name_de in _COUNTRY_ROWS
}

# Magento's general/country/optional_zip_countries default.
OPTIONAL_ZIP_COUNTRIES: frozenset[str] = frozenset({"HK", "IE", "MO", "PA", "GB"})
# general/region/state_required, limited to the countries whose regions the sandbox knows.
REGION_REQUIRED_COUNTRIES: frozenset[str] = frozenset(_REGIONS)


def find_country(code: str | None) -> Country | None:
    """The country with this two- or three-letter code (case-insensitive), if the sandbox has it."""
    if not code:
        return None
    wanted = code.strip().upper()
    if len(wanted) == 3:
        return next((c for c in COUNTRIES.values() if c.iso3 == wanted), None)
    return COUNTRIES.get(wanted)


def find_region(country_code: str | None, code_or_name_or_id: str | int | None) -> Region | None:
    """A region of the country by id (int or digit string), code or name (case-insensitive).

    Codes are tried before names; a code shared by several regions (the US "AE" armed forces)
    gives the first of them, as Magento's region lookup by code does.
    """
    country = find_country(country_code)
    if country is None or code_or_name_or_id is None:
        return None
    if isinstance(code_or_name_or_id, int) or code_or_name_or_id.strip().isdigit():
        region_id = int(code_or_name_or_id)
        return next((r for r in country.regions if r.id == region_id), None)
    wanted = code_or_name_or_id.strip().casefold()
    by_code = next((r for r in country.regions if r.code.casefold() == wanted), None)
    return by_code or next((r for r in country.regions if r.name.casefold() == wanted), None)


def country_requires_region(code: str | None) -> bool:
    country = find_country(code)
    return country is not None and country.code in REGION_REQUIRED_COUNTRIES


def country_requires_postcode(code: str | None) -> bool:
    country = find_country(code)
    wanted = country.code if country is not None else (code or "").strip().upper()
    return wanted not in OPTIONAL_ZIP_COUNTRIES
