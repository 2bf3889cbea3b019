"""The demo world: two store views, a Luma-like category tree, 520+ products, coupons, customers.

``seeded_state()`` is deterministic: it draws only from ``random.Random(config.seed)`` and fixed
dates, so two states seeded with the same config are identical. The fixed fixtures (``BAG-001``,
``BAG-002``, ``LAST-ONE``, ``SOLD-OUT``, ``TEE-CFG`` with its six children, ``FREEBIE``) come first,
with exactly the values tests rely on; generated products follow, then the virtual products
(``VIRTUAL_SKUS``: nothing to ship), added last so that nothing before them changes. Every id is drawn from
``state.next_id(kind)`` ("store", "category", "product", "customer") so other modules continue the
sequences.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bff.sandbox.agreements import seed_agreements
from bff.sandbox.clock import SandboxClock, SystemClock
from bff.sandbox.state import (
    Address,
    Category,
    CmsPage,
    ConfigurableOption,
    Customer,
    OptionValue,
    Product,
    SandboxConfig,
    SandboxState,
    StoreView,
    UrlRedirect,
)

COLOR_ATTRIBUTE_ID = 93
SIZE_ATTRIBUTE_ID = 144
COLORS: dict[str, int] = {
    "Red": 4, "Blue": 5, "Black": 6, "White": 7, "Green": 8, "Gray": 9,
    "Orange": 15, "Purple": 16, "Yellow": 17,
}  # fmt: skip
SIZES: dict[str, int] = {"XS": 13, "S": 10, "M": 11, "L": 12, "XL": 14}
SIZE_ORDER = ("XS", "S", "M", "L", "XL")


@dataclass(frozen=True)
class _Node:
    name: str
    url_key: str
    children: tuple[_Node, ...] = ()


def _apparel(gender: str, tanks: str) -> tuple[_Node, ...]:
    g = gender.lower()
    return (
        _Node("Tops", f"tops-{g}", (
            _Node("Jackets", f"jackets-{g}"),
            _Node("Hoodies & Sweatshirts", f"hoodies-and-sweatshirts-{g}"),
            _Node("Tees", f"tees-{g}"),
            _Node(tanks, f"tanks-{g}"),
        )),
        _Node("Bottoms", f"bottoms-{g}", (_Node("Pants", f"pants-{g}"), _Node("Shorts", f"shorts-{g}"))),
    )  # fmt: skip


CATEGORY_TREE: tuple[_Node, ...] = (
    _Node("What's New", "what-is-new"),
    _Node("Women", "women", _apparel("Women", "Bras & Tanks")),
    _Node("Men", "men", _apparel("Men", "Tanks")),
    _Node("Gear", "gear", (
        _Node("Bags", "bags"), _Node("Fitness Equipment", "fitness-equipment"), _Node("Watches", "watches"),
    )),
    _Node("Training", "training", (_Node("Video Download", "training-video"),)),
    _Node("Sale", "sale"),
)  # fmt: skip


@dataclass(frozen=True)
class _Kind:
    """What a leaf category sells: sku prefix, nouns, price range, whether it is apparel."""

    sku_prefix: str
    nouns: tuple[str, ...]
    low: int
    high: int
    apparel: bool = True


_WOMEN_NAMES = (
    "Olivia", "Juno", "Neve", "Nadia", "Ingrid", "Riona", "Adrienne", "Inez", "Jade", "Josie",
    "Augusta", "Selene", "Mona", "Phoebe", "Helena", "Nora", "Ariel", "Daphne", "Electra", "Gwyn",
    "Iris", "Karmen", "Layla", "Maya", "Portia", "Sybil", "Thalia", "Zoe",
)  # fmt: skip
_MEN_NAMES = (
    "Orion", "Proteus", "Typhon", "Jupiter", "Mars", "Lando", "Taurus", "Atlas", "Zeppelin",
    "Hyperion", "Kenobi", "Montana", "Beaumont", "Ajax", "Caesar", "Hector", "Marco", "Livingston",
    "Cassius", "Deion", "Aero", "Balboa", "Troy", "Apollo", "Draco", "Felix",
)  # fmt: skip
_GEAR_NAMES = (
    "Summit", "Voyager", "Endeavor", "Wayfarer", "Impulse", "Fusion", "Rival", "Overnight", "Crown",
    "Driven", "Harmony", "Aim", "Dash", "Clamber", "Endurance", "Pursuit", "Quest", "Savvy", "Nimble",
)  # fmt: skip
_QUALIFIERS = (
    "Running", "Training", "Yoga", "Everyday", "Performance", "LumaTech", "EverCool", "Breathe-Easy",
    "Ultra-Soft", "Cardio", "Trail", "Studio", "Compete", "Elevate",
)  # fmt: skip
_WOMEN_ONLY = frozenset({"Bra Top", "Legging"})
_MATERIALS = ("organic cotton", "recycled polyester", "merino wool", "nylon ripstop", "bamboo jersey")
_FEATURES = (
    "moisture-wicking fabric keeps you dry",
    "flatlock seams prevent chafing",
    "reflective details add visibility at dusk",
    "a relaxed fit moves with you",
    "four-way stretch gives you full range of motion",
    "zippered pockets keep essentials secure",
    "it packs down small for travel",
)

_KINDS: dict[str, _Kind] = {
    "jackets": _Kind("J", ("Jacket", "Windbreaker", "Shell Jacket", "Parka"), 45, 110),
    "hoodies-and-sweatshirts": _Kind("H", ("Hoodie", "Sweatshirt", "Pullover", "Zip Hoodie"), 35, 80),
    "tees": _Kind("T", ("Tee", "Short-Sleeve Tee", "Crewneck Tee", "V-Neck Tee"), 15, 40),
    "tanks": _Kind("K", ("Tank", "Racerback Tank", "Bra Top"), 18, 45),
    "pants": _Kind("P", ("Pant", "Legging", "Jogger", "Track Pant"), 30, 90),
    "shorts": _Kind("S", ("Short", "Running Short", "Training Short"), 20, 50),
    "bags": _Kind("GB", ("Duffle Bag", "Backpack", "Messenger Bag", "Tote", "Shoulder Pack"), 25, 120, False),
    "fitness-equipment": _Kind(
        "GF", ("Yoga Mat", "Foam Roller", "Kettlebell", "Resistance Band", "Water Bottle"), 5, 80, False
    ),
    "watches": _Kind("GW", ("Watch", "Fitness Tracker", "Chronograph"), 45, 250, False),
    "training-video": _Kind("TV", ("Yoga Video", "HIIT Workout Video", "Pilates Program"), 5, 25, False),
}

_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def seeded_state(config: SandboxConfig | None = None, clock: SandboxClock | None = None) -> SandboxState:
    """The demo world every sandbox starts from (see the module docstring)."""
    config = config or SandboxConfig()
    state = SandboxState(config=config, clock=clock or SystemClock())
    rng = random.Random(config.seed)
    _seed_stores(state)
    _seed_categories(state)
    _seed_fixtures(state)
    _seed_generated(state, rng)
    _seed_virtual(state)
    state.coupons["SAVE10"] = ("percent", Decimal(10))
    state.coupons["TAKE5"] = ("fixed", Decimal("5.00"))
    _seed_customers(state)
    _seed_pages(state)
    seed_agreements(state)
    return state


def slugify(text: str) -> str:
    """Magento-like url key: lower case, non-alphanumerics collapsed to single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- stores and categories ------------------------------------------------------------------


def _seed_stores(state: SandboxState) -> None:
    default = StoreView(
        state.next_id("store"),
        "default",
        "Default Store View",
        "en_US",
        "USD",
        "USD",
        ("USD", "EUR"),
        2,
        True,
    )
    german = StoreView(state.next_id("store"), "de", "German Store View", "de_DE", "USD", "EUR", ("EUR", "USD"), 2)
    state.stores = {default.code: default, german.code: german}


def _seed_categories(state: SandboxState) -> None:
    root = _add_category(state, "Root Catalog", "root-catalog", None, 0)
    root.url_path = ""
    default = _add_category(state, "Default Category", "default-category", root, 1)
    default.url_path = ""
    _add_subtree(state, CATEGORY_TREE, default)


def _add_subtree(state: SandboxState, nodes: tuple[_Node, ...], parent: Category) -> None:
    for position, node in enumerate(nodes, start=1):
        category = _add_category(state, node.name, node.url_key, parent, position)
        _add_subtree(state, node.children, category)


def _add_category(state: SandboxState, name: str, url_key: str, parent: Category | None, position: int) -> Category:
    category_id = state.next_id("category")
    url_path = f"{parent.url_path}/{url_key}".lstrip("/") if parent is not None else url_key
    category = Category(
        id=category_id,
        name=name,
        url_key=url_key,
        url_path=url_path,
        parent_id=parent.id if parent is not None else 0,
        level=parent.level + 1 if parent is not None else 0,
        position=position,
        path=f"{parent.path}/{category_id}" if parent is not None else str(category_id),
        description=f"<p>Discover {name} in the sandbox store.</p>",
    )
    state.categories[category_id] = category
    if parent is not None:
        parent.children.append(category_id)
    return category


def category_by_path(state: SandboxState, url_path: str) -> Category:
    return next(c for c in state.categories.values() if c.url_path == url_path)


# --- products -------------------------------------------------------------------------------


def _add_product(state: SandboxState, product: Product) -> Product:
    state.products[product.sku] = product
    state.product_ids[product.id] = product.sku
    return product


def _simple(
    state: SandboxState,
    sku: str,
    name: str,
    price: str,
    qty: int,
    categories: list[int],
    special: str | None = None,
    type_id: str = "simple",
) -> Product:
    description = f"<p>{name}: a sandbox fixture product.</p>"
    product = Product(
        id=state.next_id("product"),
        sku=sku,
        name=name,
        url_key=slugify(name),
        type_id=type_id,
        price=Decimal(price),
        special_price=Decimal(special) if special is not None else None,
        qty=qty,
        category_ids=list(categories),
        description=description,
        short_description=f"<p>{name}</p>",
    )
    return _add_product(state, product)


def _seed_fixtures(state: SandboxState) -> None:
    bags = category_by_path(state, "gear/bags").id
    tees = category_by_path(state, "men/tops-men/tees-men")
    hoodies = category_by_path(state, "men/tops-men/hoodies-and-sweatshirts-men")
    _simple(state, "BAG-001", "Joust Duffle Bag", "45.00", 100, [bags])
    sale = category_by_path(state, "sale").id
    _simple(state, "BAG-002", "Strive Shoulder Pack", "30.00", 100, [bags, sale], special="24.00")
    _simple(state, "LAST-ONE", "Last One Standing Tee", "20.00", 1, [tees.id, tees.parent_id])
    _simple(state, "SOLD-OUT", "Sold Out Hoodie", "15.00", 0, [hoodies.id, hoodies.parent_id])
    qty = {("Blue", "L"): 0}
    _configurable(
        state,
        sku="TEE-CFG",
        name="Chaz Kangeroo Tee",
        price=Decimal("25.00"),
        special=None,
        categories=[tees.id, tees.parent_id],
        colors=("Red", "Blue"),
        sizes=("S", "M", "L"),
        qty_of=lambda color, size: qty.get((color, size), 10),
    )
    _simple(state, "FREEBIE", "Free Sticker", "0.00", 1000, [category_by_path(state, "gear").id])


def _configurable(
    state: SandboxState,
    *,
    sku: str,
    name: str,
    price: Decimal,
    special: Decimal | None,
    categories: list[int],
    colors: tuple[str, ...],
    sizes: tuple[str, ...],
    qty_of: Callable[[str, str], int],
    description: str = "",
    created_at: str = "2024-01-01 00:00:00",
) -> Product:
    """A configurable parent with one child per color x size (children named like Magento's)."""
    options = (
        ConfigurableOption(COLOR_ATTRIBUTE_ID, "color", "Color", tuple(OptionValue(COLORS[c], c) for c in colors)),
        ConfigurableOption(SIZE_ATTRIBUTE_ID, "size", "Size", tuple(OptionValue(SIZES[s], s) for s in sizes)),
    )
    description = description or f"<p>{name}: a sandbox fixture product.</p>"
    parent = _add_product(
        state,
        Product(
            id=state.next_id("product"),
            sku=sku,
            name=name,
            url_key=slugify(name),
            type_id="configurable",
            price=price,
            special_price=special,
            category_ids=list(categories),
            description=description,
            short_description=f"<p>{name}</p>",
            created_at=created_at,
            options=options,
        ),
    )
    children: list[str] = []
    for color in colors:
        for size in sizes:
            child_name = f"{name}-{color}-{size}"
            child = Product(
                id=state.next_id("product"),
                sku=f"{sku}-{color}-{size}",
                name=child_name,
                url_key=slugify(child_name),
                type_id="simple",
                price=price,
                special_price=special,
                qty=qty_of(color, size),
                category_ids=list(categories),
                description=description,
                short_description=f"<p>{child_name}</p>",
                created_at=created_at,
                visible=False,
                parent_sku=sku,
                attributes={"color": COLORS[color], "size": SIZES[size]},
            )
            _add_product(state, child)
            children.append(child.sku)
    parent.variant_skus = tuple(children)
    parent.qty = sum(state.products[s].qty for s in children)
    return parent


@dataclass
class _Generator:
    state: SandboxState
    rng: random.Random
    used_names: set[str]
    counters: dict[str, int]

    def name_for(self, gender: str, kind: _Kind) -> str:
        pool = {"women": _WOMEN_NAMES, "men": _MEN_NAMES}.get(gender, _GEAR_NAMES)
        nouns = [n for n in kind.nouns if gender == "women" or n not in _WOMEN_ONLY]
        for _ in range(50):
            noun = self.rng.choice(nouns)
            qualifier = self.rng.choice(_QUALIFIERS) if kind.apparel else ""
            qualifier = "" if qualifier in noun else f" {qualifier}"
            name = f"{self.rng.choice(pool)}{qualifier} {noun}"
            if name not in self.used_names:
                break
        suffix = 2
        base = name
        while name in self.used_names:
            name, suffix = f"{base} {suffix}", suffix + 1
        self.used_names.add(name)
        return name

    def sku_for(self, gender: str, kind: _Kind) -> str:
        prefix = f"{gender[:1].upper()}{kind.sku_prefix}" if kind.apparel else kind.sku_prefix
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}-{self.counters[prefix]:03d}"

    def price(self, kind: _Kind) -> Decimal:
        whole = self.rng.randint(kind.low, kind.high)
        cents = self.rng.choice(("0.00", "0.00", "0.99", "0.50"))
        return min(Decimal(whole) + Decimal(cents), Decimal("250.00"))

    def special(self, price: Decimal) -> Decimal | None:
        if self.rng.random() >= 0.15:
            return None
        factor = Decimal(self.rng.choice(("0.70", "0.75", "0.80", "0.85", "0.90")))
        return (price * factor).quantize(Decimal("0.01"))

    def qty(self) -> int:
        roll = self.rng.random()
        if roll < 0.06:
            return 0
        if roll < 0.12:
            return self.rng.randint(1, 5)
        return self.rng.randint(10, 500)

    def created_at(self) -> str:
        moment = _EPOCH + timedelta(seconds=self.rng.randint(0, 365 * 86400))
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    def description(self, name: str) -> tuple[str, str]:
        material = self.rng.choice(_MATERIALS)
        first, second = self.rng.sample(_FEATURES, 2)
        features = f"<ul><li>{first.capitalize()}.</li><li>{second.capitalize()}.</li></ul>"
        html = f"<p>The {name} is made of {material}.</p>{features}"
        return html, f"<p>{name} in {material}.</p>"


def _leaf_kinds(state: SandboxState) -> list[tuple[Category, str, _Kind]]:
    """Leaf categories that sell generated products, with their gender and kind."""
    leaves: list[tuple[Category, str, _Kind]] = []
    for category in state.categories.values():
        if category.children or category.level < 3:
            continue
        top = category.url_path.split("/", 1)[0]
        kind_key = category.url_key.removesuffix(f"-{top}")
        if kind_key in _KINDS:
            leaves.append((category, top, _KINDS[kind_key]))
    return leaves


def _seed_generated(state: SandboxState, rng: random.Random) -> None:
    gen = _Generator(state, rng, {p.name for p in state.products.values()}, {})
    leaves = _leaf_kinds(state)
    whats_new = category_by_path(state, "what-is-new").id
    sale = category_by_path(state, "sale").id
    index = 0
    while len(state.products) < state.config.product_count:
        category, gender, kind = leaves[index % len(leaves)]
        index += 1
        name = gen.name_for(gender, kind)
        price = gen.price(kind)
        special = gen.special(price)
        categories = [category.id] + ([category.parent_id] if kind.apparel else [])
        categories += [whats_new] if rng.random() < 0.1 else []
        categories += [sale] if special is not None else []
        description, short = gen.description(name)
        created_at = gen.created_at()
        if kind.apparel and rng.random() < 0.2:
            colors = tuple(rng.sample(list(COLORS), rng.randint(2, 3)))
            start = rng.randint(0, 2)
            sizes = SIZE_ORDER[start : start + 3]
            _configurable(
                state, sku=gen.sku_for(gender, kind), name=name, price=price, special=special,
                categories=categories, colors=colors, sizes=sizes,
                qty_of=lambda _color, _size: gen.qty(), description=description, created_at=created_at,
            )  # fmt: skip
            continue
        product = Product(
            id=state.next_id("product"), sku=gen.sku_for(gender, kind), name=name, url_key=slugify(name),
            type_id="simple", price=price, special_price=special, qty=gen.qty(), category_ids=categories,
            description=description, short_description=short, created_at=created_at,
        )  # fmt: skip
        _add_product(state, product)


# Magento Open Source has no gift card type: a gift card is sold as a virtual product.
VIRTUAL_SKUS = ("WARRANTY-2Y", "YOGA-VIDEO", "GIFT-CARD-50")


def _seed_virtual(state: SandboxState) -> None:
    """Virtual products (Magento's ``virtual`` type, ``VirtualProduct``): a warranty, a digital
    service and a gift card; a cart holding only these has nothing to ship."""
    video = category_by_path(state, "training/training-video")
    warranty, yoga, gift_card = VIRTUAL_SKUS
    virtual: tuple[tuple[str, str, str, list[int], str], ...] = (
        (warranty, "Two-Year Protection Plan", "19.00", [], "Two more years of repair or replacement."),
        (yoga, "Luma Yoga Video Course", "29.00", [video.id, video.parent_id], "Twelve yoga lessons to stream."),
        (gift_card, "Luma Gift Card $50", "50.00", [], "A code worth $50, sent by e-mail."),
    )
    for sku, name, price, categories, text in virtual:
        product = _simple(state, sku, name, price, 10000, categories, type_id="virtual")
        product.description = f"<p>{text}</p>"


# --- customers ------------------------------------------------------------------------------


def _seed_customers(state: SandboxState) -> None:
    roni = Customer(
        id=state.next_id("customer"),
        email="roni_cost@example.com",
        firstname="Veronica",
        lastname="Costello",
        password="Roni-Cost-3",
        addresses=[
            Address(
                firstname="Veronica",
                lastname="Costello",
                street=["6146 Honey Bluff Parkway"],
                city="Calder",
                postcode="49628-7978",
                country_code="US",
                telephone="555-229-3326",
                region_code="MI",
                region_label="Michigan",
                region_id=33,
            )
        ],
    )
    john = Customer(
        id=state.next_id("customer"),
        email="john.doe@example.com",
        firstname="John",
        lastname="Doe",
        password="John-Doe-123",
    )
    state.customers = {roni.id: roni, john.id: john}


# --- CMS pages and URL redirects ------------------------------------------------------------

HOME_PAGE = "home"  # web/default/cms_home_page: what the URL "/" shows
NO_ROUTE_PAGE = "no-route"  # web/default/cms_no_route: the 404 page


def _seed_pages(state: SandboxState) -> None:
    """The pages of a default install (no-route, home, enable-cookies, privacy policy) plus Luma's
    about-us, and two redirects: a product's old URL key (301) and a moved category URL (302)."""
    pages = [
        ("no-route", "404 Not Found", "Whoops, our bad...",
         "<dl><dt>The page you requested was not found, and we have a fine guess why.</dt></dl>"),
        ("home", "Home Page", "Home Page", "<p>CMS homepage content goes here.</p>"),
        ("enable-cookies", "Enable Cookies", "What are Cookies?",
         "<p>Cookies are short pieces of data that are sent to your computer when you visit a website.</p>"),
        ("privacy-policy-cookie-restriction-mode", "Privacy Policy", "Privacy Policy",
         "<p>This privacy policy sets out how this website uses and protects any information that you give "
         "when you use this website.</p>"),
        ("about-us", "About us", "About us", "<p>With more than 230 stores spanning 43 states and growing, Luma is "
         "a nationally recognized active wear manufacturer and retailer.</p>"),
    ]  # fmt: skip
    for identifier, title, heading, content in pages:
        page = CmsPage(id=state.next_id("cms_page"), identifier=identifier, title=title, content=content,
                       content_heading=heading, meta_title=title if identifier != HOME_PAGE else "",
                       meta_description=f"{title} of the Luma demo store.")  # fmt: skip
        state.cms_pages[identifier] = page
    redirects = (("joust-duffel-bag.html", "joust-duffle-bag.html", 301), ("bags.html", "gear/bags.html", 302))
    for old, new, code in redirects:
        state.redirects[old] = UrlRedirect(request_path=old, target_path=new, redirect_type=code)
