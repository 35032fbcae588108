"""The words of the bulk data: a catalogue, what customers write about, and how."""

from __future__ import annotations

PRODUCTS = [
    ("HP-100", "Wireless Headphones", 8999),
    ("CBL-2", "USB-C Cable", 999),
    ("GR-7", "Coffee Grinder", 4999),
    ("LMP-3", "Desk Lamp", 2500),
    ("MUG-1", "Mug", 1250),
    ("TV-55", "Television", 89900),
    ("RUN-9", "Running Shoes", 11999),
    ("KTL-4", "Electric Kettle", 3999),
    ("BLN-2", "Blender", 6999),
    ("BKP-8", "Hiking Backpack", 7499),
    ("JKT-5", "Rain Jacket", 12999),
    ("WCH-1", "Smart Watch", 19999),
    ("SPK-3", "Bluetooth Speaker", 5999),
    ("CHR-6", "Office Chair", 24999),
    ("PAN-2", "Frying Pan", 3499),
    ("TOW-9", "Bath Towel Set", 2999),
    ("MSE-4", "Gaming Mouse", 4999),
    ("KBD-7", "Mechanical Keyboard", 10999),
    ("MON-27", "Monitor", 27999),
    ("CAM-1", "Action Camera", 29999),
    ("VAC-3", "Robot Vacuum", 39999),
    ("TNT-2", "Camping Tent", 15999),
    ("BOT-1", "Water Bottle", 1999),
    ("SNK-4", "Sneakers", 8999),
    ("PIL-2", "Pillow", 2499),
    ("BKS-5", "Cookbook", 2999),
]
SUBJECTS = {
    "damaged_item": ["{p} arrived damaged", "Broken {p}", "{p} is cracked", "Damaged {p} in box"],
    "wrong_item": ["Wrong {p} delivered", "Received the wrong {p}", "{p} is not what I ordered"],
    "missing_item": ["{p} missing from parcel", "Parcel incomplete, no {p}", "Missing {p}"],
    "not_delivered": ["Order {o} not delivered", "Parcel never arrived", "Where is my {p}?"],
    "return_refund": [
        "Return and refund for {p}",
        "I want to return the {p}",
        "Refund request: {p}",
    ],
    "billing": [
        "Charged twice for order {o}",
        "Invoice question about {o}",
        "Wrong amount charged for {p}",
    ],
    "other": ["Question about my {p}", "Gift wrapping for {o}", "Change address for {o}"],
}
OPENERS = ["Hello,", "Hi team,", "Good morning,", "Dear support,", "Hi,"]
DETAILS = {
    "damaged_item": "the {p} came with a {defect} and the box was {box}.",
    "wrong_item": "I ordered the {p} but got a {colour} one in the wrong size.",
    "missing_item": "the parcel from {courier} arrived but the {p} was not inside.",
    "not_delivered": "tracking with {courier} has not moved for {n} days, "
    "nothing arrived in {city}.",
    "return_refund": "the {p} does not fit my needs and I would like my money back.",
    "billing": "my card was charged {n} times for the {p}, please check the payment.",
    "other": "can you tell me more about the warranty of the {p}?",
}
DEFECTS = [
    "scratched screen",
    "broken hinge",
    "dent on the side",
    "cracked handle",
    "loose cable",
    "torn seam",
    "missing screw",
    "damaged plug",
]
BOXES = ["crushed", "wet", "torn open", "fine", "dented"]
COLOURS = ["red", "blue", "green", "black", "white", "grey", "yellow", "purple"]
COURIERS = ["DHL", "UPS", "DPD", "GLS", "Hermes", "FedEx", "PostNL", "Colissimo"]
CITIES = [
    "Berlin",
    "Paris",
    "Madrid",
    "Rome",
    "Vienna",
    "Lisbon",
    "Dublin",
    "Prague",
    "Warsaw",
    "Amsterdam",
    "Brussels",
    "Copenhagen",
    "Stockholm",
    "Helsinki",
    "Athens",
    "Munich",
    "Lyon",
    "Porto",
    "Krakow",
    "Milan",
    "Hamburg",
    "Valencia",
    "Antwerp",
]
CLOSINGS = [
    "Thanks.",
    "Thank you for your help.",
    "Best regards.",
    "Kind regards.",
    "Please advise.",
]
# About one case in ten thousand mentions it: the benchmark's rare search word.
RARE_SENTENCE = "It came with a theremin manual instead of the right one."
RARE_RATE = 1e-4
REFUND_REASONS = [
    "Item arrived damaged",
    "Wrong item",
    "Item missing",
    "Not delivered",
    "Changed my mind",
    "Charged twice",
]
REJECT_REASONS = [
    "The item was returned used",
    "Outside what our returns policy covers",
    "The parcel was delivered and signed for",
    "Already refunded by the courier",
]
