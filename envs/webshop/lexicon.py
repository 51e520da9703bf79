"""The vocabulary the WebShop catalog is generated from: categories, product types, attributes, options, brands.

Everything is lower-case ASCII (titles are title-cased when rendered). A product type names its category path
(three levels, as WebShop's ``product_category``), its query noun phrase, its price range, the attribute pool it
draws from and its option groups. Option values of different groups never coincide, so ``click[value]`` on an
item page names one option.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductType:
    """One kind of product.

    Attributes:
        category: the three category levels, top first (``("beauty", "hair care", "shampoo")``).
        noun: the query noun phrase; also the product's WebShop ``query``.
        price: the (low, high) price range in dollars.
        attributes: the attribute pool (the category's pool plus these).
        options: option group names (keys of :data:`OPTION_VALUES`).
    """

    category: tuple[str, str, str]
    noun: str
    price: tuple[float, float]
    attributes: tuple[str, ...]
    options: tuple[str, ...]


OPTION_VALUES: dict[str, tuple[str, ...]] = {
    "color": ("black", "white", "navy blue", "red", "pink", "grey", "beige", "green", "brown", "purple",
              "gold", "silver", "sky blue", "burgundy", "olive"),
    "size": ("x-small", "small", "medium", "large", "x-large", "xx-large"),
    "shoe size": ("6", "6.5", "7", "7.5", "8", "8.5", "9", "9.5", "10", "11", "12"),
    "volume": ("1 fl oz", "2 fl oz", "4 fl oz", "8 fl oz", "16 fl oz", "32 fl oz"),
    "weight": ("2 ounce", "4 ounce", "8 ounce", "12 ounce", "16 ounce", "2 pound", "5 pound"),
    "pack": ("pack of 1", "pack of 2", "pack of 3", "pack of 4", "pack of 6", "pack of 12", "pack of 24"),
    "flavor": ("original", "chocolate", "vanilla", "strawberry", "peanut butter", "sea salt", "cinnamon",
               "mixed berry", "salted caramel", "lemon"),
    "scent": ("lavender", "coconut", "unscented", "citrus", "rose", "eucalyptus", "sandalwood", "fresh linen"),
    "material": ("cotton", "polyester", "leather", "wool", "linen", "bamboo", "oak wood", "steel"),
    "style": ("classic", "modern", "rustic", "minimalist", "vintage", "industrial"),
    "length": ("3 ft", "6 ft", "10 ft"),
    "model": ("iphone 15", "iphone 15 pro", "galaxy s24", "pixel 8", "iphone 14"),
    "count": ("12 count", "24 count", "36 count", "48 count"),
}
"""Every option group and its values; a product offers a subset of each of its groups."""

CATEGORY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "beauty": ("paraben free", "sulfate free", "cruelty free", "long lasting", "natural ingredients",
               "sensitive skin", "fragrance free", "travel size", "easy to apply", "vegan", "hydrating",
               "dermatologist tested"),
    "electronics": ("fast charging", "noise cancelling", "water resistant", "long battery life", "easy to install",
                    "high definition", "heavy duty", "lightweight", "compact size", "usb c", "dual pairing",
                    "shockproof"),
    "fashion": ("machine wash", "slim fit", "quick drying", "non slip", "long sleeve", "short sleeve", "high waist",
                "moisture wicking", "button closure", "relaxed fit", "breathable", "hand wash"),
    "food": ("gluten free", "non gmo", "sugar free", "low carb", "high protein", "keto friendly",
             "individually wrapped", "plant based", "usda organic", "kosher certified", "ready to eat",
             "resealable bag"),
    "furniture": ("easy assembly", "solid wood", "space saving", "mid century", "storage space",
                  "height adjustable", "metal frame", "easy clean", "heavy duty", "living room", "non toxic",
                  "weight capacity"),
}
"""Attribute phrases per top-level category (WebShop's mined attributes are phrases like these)."""


def _types(top: str, sub: str, nouns: tuple[str, ...], price: tuple[float, float], options: tuple[str, ...],
           extra: tuple[str, ...] = ()) -> list[ProductType]:
    pool = CATEGORY_ATTRIBUTES[top] + extra
    return [ProductType((top, sub, noun), noun, price, pool, options) for noun in nouns]


PRODUCT_TYPES: tuple[ProductType, ...] = tuple(
    _types("beauty", "hair care", ("shampoo", "conditioner", "hair oil", "dry shampoo"), (6, 38),
           ("volume", "scent"), ("dry hair", "curly hair", "color safe"))
    + _types("beauty", "skin care", ("face moisturizer", "sunscreen lotion", "face serum", "body lotion"), (8, 60),
             ("volume", "scent"), ("anti aging", "oil free", "spf 50"))
    + _types("beauty", "makeup", ("lipstick", "liquid foundation", "mascara", "eyeshadow palette"), (5, 45),
             ("color", "pack"), ("smudge proof", "matte finish"))
    + _types("beauty", "fragrance", ("eau de parfum", "body mist"), (12, 95), ("volume", "scent"))
    + _types("electronics", "phone accessories", ("phone case", "screen protector", "wireless charger"), (7, 45),
             ("color", "model"), ("magsafe compatible", "tempered glass"))
    + _types("electronics", "cables", ("charging cable", "hdmi cable"), (5, 25), ("color", "length"),
             ("braided nylon",))
    + _types("electronics", "audio", ("wireless earbuds", "bluetooth speaker", "over ear headphones"), (18, 160),
             ("color",), ("bass boost", "built in microphone"))
    + _types("electronics", "computer accessories", ("wireless mouse", "mechanical keyboard", "usb hub",
                                                      "laptop stand"), (12, 90), ("color", "style"),
             ("ergonomic design", "plug and play"))
    + _types("fashion", "women clothing", ("summer dress", "yoga leggings", "cardigan sweater", "blouse"), (14, 70),
             ("color", "size"), ("floral print", "tummy control"))
    + _types("fashion", "men clothing", ("t-shirt", "hoodie", "chino pants", "rain jacket"), (12, 90),
             ("color", "size"), ("regular fit", "drawstring closure"))
    + _types("fashion", "shoes", ("running shoes", "hiking boots", "house slippers"), (19, 120),
             ("color", "shoe size"), ("rubber sole", "arch support"))
    + _types("fashion", "accessories", ("leather wallet", "baseball cap", "polarized sunglasses"), (9, 55),
             ("color", "material"), ("rfid blocking", "adjustable strap"))
    + _types("food", "snacks", ("protein bars", "trail mix", "potato chips", "beef jerky"), (5, 35),
             ("flavor", "pack"), ("high fiber",))
    + _types("food", "beverages", ("green tea", "coffee beans", "sparkling water", "hot cocoa mix"), (4, 40),
             ("flavor", "count"), ("caffeine free", "fair trade"))
    + _types("food", "pantry", ("olive oil", "pasta sauce", "raw honey", "peanut butter"), (4, 30),
             ("weight", "pack"), ("no added sugar",))
    + _types("food", "candy", ("dark chocolate", "gummy bears", "hard candy"), (3, 25), ("flavor", "weight"),
             ("dairy free",))
    + _types("furniture", "living room", ("coffee table", "bookshelf", "accent chair", "tv stand"), (45, 320),
             ("color", "style"), ("tempered glass top",))
    + _types("furniture", "bedroom", ("nightstand", "bed frame", "memory foam pillow"), (25, 380),
             ("color", "size"), ("under bed storage",))
    + _types("furniture", "office", ("office chair", "standing desk", "desk lamp"), (20, 350), ("color", "style"),
             ("lumbar support", "cable management"))
    + _types("furniture", "storage", ("storage bins", "shoe rack", "closet organizer"), (12, 90),
             ("color", "material"), ("foldable design", "stackable"))
)
"""Every product type; the catalog draws types uniformly."""

BRANDS: tuple[str, ...] = (
    "aurelle", "brightwave", "calder", "duneway", "elmsford", "fjordline", "granton", "halcyra", "ivorybay",
    "juniperly", "kestrel", "lumora", "maplecrest", "northvale", "oakhaven", "pinecove", "quillon", "rivetta",
    "solvane", "tidewell", "umbrio", "velmora", "westbrook", "xantho", "yarrowby", "zephra", "amberlyn", "bexley",
    "corvana", "delmare", "everhart", "foxglen", "glimmer", "hollis", "irongate", "jasperine", "kinsale", "lindale",
    "morrow", "nectara", "orchidia", "prestwick", "quartzly", "redfern", "sablewood", "thornbury", "ulvana", "verdis",
)
"""Made-up brand names (proper nouns in titles)."""

DESCRIPTORS: tuple[str, ...] = (
    "premium", "everyday", "professional", "deluxe", "essential", "signature", "ultra", "classic", "advanced",
    "original", "pure", "smart",
)
"""Marketing words placed in titles; never attributes, never matched by the reward."""

NOUN_LEXICON: frozenset[str] = frozenset(
    word for kind in PRODUCT_TYPES for word in kind.noun.replace("-", " ").split()
) | frozenset(BRANDS)
"""The nouns the type reward compares (product-type words and brands) in place of spaCy's NOUN/PROPN tags."""

COLOR_SET: tuple[str, ...] = (
    "navy blue", "sky blue", "black", "white", "red", "pink", "grey", "gray", "beige", "green", "brown", "purple",
    "gold", "silver", "burgundy", "olive", "blue", "yellow", "orange",
)
"""Colour names for WebShop's ``normalize_color`` (longest first where one contains another)."""
