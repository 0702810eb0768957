"""Synthetic integration registries for benchmarks and scale tests, with planted overlap clusters.

    python bench/generate.py --rows 10000 --seed 1 --out /tmp/registry_10k.csv

writes ``/tmp/registry_10k.csv`` (the registry, in the format of docs/registry-format.md) and
``/tmp/registry_10k_planted_clusters.csv`` beside it: the ground truth, one line per planted cluster
in the ``cluster,member_ids`` format of ``data/sample_planted_clusters.csv``.

What the registry looks like
----------------------------
Like a real stack, only bigger: a head of well-known SaaS systems (Salesforce, Stripe, Snowflake, ...)
carries most of the traffic and a long tail of internal services ("Kestrel Billing") the rest; systems,
objects, teams and consumers are drawn from skewed (Zipf-like) distributions. Teams spell systems and
objects their own way (``SFDC``, ``Salesforce.com``, ``Accounts``, ``Opp``). Costs are exact figures,
ranges (``40-60``, ``2–3``, ``10 to 20``), three points (``8/10/14``) and money (``$1,200``,
``$150-$180``); some cells are empty (unknown). Some integrations are unowned, proposed, retired or
bidirectional; dates come in the four accepted spellings; notes contain commas, quotes and line breaks;
one unknown column (``Jira epic``) is kept.

Planted clusters (the ground truth)
-----------------------------------
A planted cluster is 2 to 6 integrations, usually built by different teams, that move one data object
between the same two systems: the same job built more than once. Members spell the route and the
object differently (one ``SFDC``, one ``Salesforce``; ``Invoices`` and ``invoice``), and in about a
third of the clusters one member is a bidirectional sync written the other way round. Members are never
retired (the analysis ignores retired rows by default).

Nothing else may join or merge a planted cluster, so the ground truth is exact:

* the background rows never share a data object on the same pair of systems, in either direction, with
  any other row: every (object, system pair) is used by at most one background row or one planted
  cluster. Same-route shared-object pairs (the "strong" pairs) therefore exist only inside planted
  clusters.
* planted members feed consumers of their own (a cluster's consumers are used nowhere else), so no
  weaker evidence (consumers plus one shared end) reaches the threshold between a planted member and
  any other row.

Background rows may still form weak clusters among themselves (the same object out of the same system
feeding the same dashboards), as real registries do; those are not claimed as ground truth.

Everything is drawn from one ``random.Random(seed)`` and nothing depends on set or hash order, so the
same rows and seed give the same bytes on every machine and Python run.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process, utils  # noqa: E402

from core.domain.names import normalize_key, object_key  # noqa: E402
from core.domain.registry_csv import CANONICAL_COLUMNS  # noqa: E402
from core.storage.defaults import load_aliases

EXTRA_COLUMN = "Jira epic"
COLUMNS = (*CANONICAL_COLUMNS, EXTRA_COLUMN)

# --- Vocabulary ---------------------------------------------------------------------------------
# Data objects by kind of system, most common first (the draw is skewed towards the front).
DOMAIN_OBJECTS: dict[str, tuple[str, ...]] = {
    "crm": ("Account", "Contact", "Opportunity", "Lead", "User", "Campaign", "Quote", "Task", "Campaign Member",
            "Product", "Price Book", "Territory", "Quota", "Contract", "Order", "Case", "Forecast", "Activity"),
    "billing": ("Customer", "Subscription", "Invoice", "Payment", "Charge", "Refund", "Credit Note", "Plan",
                "Coupon", "Dispute", "Payment Method", "Usage Record", "Payout", "Price"),
    "finance": ("Invoice", "Journal Entry", "Customer", "Vendor", "Payment", "GL Account", "Bill", "Purchase Order",
                "Sales Order", "Expense", "Budget", "Tax Rate", "Cost Center", "Credit Hold"),
    "support": ("Ticket", "Conversation", "User", "Organization", "Satisfaction Rating", "Macro", "Article",
                "SLA Policy", "Call Recording"),
    "marketing": ("Contact", "Email", "Company", "Form Submission", "Deal", "Campaign", "Subscriber", "Segment",
                  "Landing Page", "Webinar Attendee"),
    "product": ("Event", "User", "Usage Metric", "Session", "Feature Flag", "Experiment", "Cohort", "Page View",
                "Device", "Crash Report"),
    "warehouse": ("Account Metric", "Revenue Metric", "Health Score", "Churn Score", "Usage Metric", "Lead Score",
                  "Customer", "Forecast", "Cohort"),
    "pipeline": ("Event", "User", "Page View", "Identify Call", "Track Call", "Audience"),
    "collab": ("Message", "Email", "Meeting", "Issue", "Alert", "Calendar Event", "Page", "Sprint", "File"),
    "hr": ("Employee", "Department", "Position", "Time Off", "Payroll Run", "Candidate", "Offer", "Review Cycle"),
    "commerce": ("Order", "Product", "Customer", "Inventory Level", "Fulfillment", "Refund", "Shipment", "Return"),
    "identity": ("User", "Group", "App Assignment", "Login Event", "Role"),
    "sheet": ("Quota", "Territory", "Forecast", "Budget", "Commission Plan", "Headcount Plan", "Price List"),
}

# Well-known systems: (canonical name, kind, popularity weight). Names are chosen so that no two are
# near-misses of each other (the analysis would rightly suggest merging them).
SAAS_SYSTEMS: tuple[tuple[str, str, float], ...] = (
    ("Salesforce", "crm", 60), ("Snowflake", "warehouse", 45), ("Slack", "collab", 35), ("Stripe", "billing", 34),
    ("HubSpot", "marketing", 30), ("NetSuite", "finance", 26), ("Google Sheets", "sheet", 25),
    ("Zendesk", "support", 22), ("Segment", "pipeline", 20), ("BigQuery", "warehouse", 18),
    ("Gainsight", "crm", 15), ("Intercom", "support", 15), ("Amplitude", "product", 14), ("Jira", "collab", 14),
    ("Marketo", "marketing", 12), ("Chargebee", "billing", 11), ("Workday", "hr", 11), ("Outlook", "collab", 10),
    ("QuickBooks", "finance", 10), ("Microsoft Dynamics 365", "crm", 9), ("Shopify", "commerce", 9),
    ("Okta", "identity", 8), ("Mixpanel", "product", 7), ("Redshift", "warehouse", 7), ("Xero", "finance", 6),
    ("Freshdesk", "support", 6), ("Pardot", "marketing", 6), ("Zuora", "billing", 6), ("Looker", "warehouse", 6),
    ("Databricks", "warehouse", 6), ("Greenhouse", "hr", 5), ("BambooHR", "hr", 5), ("Outreach", "crm", 5),
    ("Gong", "crm", 5), ("Braze", "marketing", 5), ("Iterable", "marketing", 4), ("Pendo", "product", 4),
    ("Heap", "product", 4), ("Recurly", "billing", 4), ("Avalara", "finance", 4), ("Coupa", "finance", 4),
    ("Confluence", "collab", 4), ("Asana", "collab", 3), ("Magento", "commerce", 3), ("Auth0", "identity", 3),
    ("Mailchimp", "marketing", 3), ("Tableau", "warehouse", 3), ("ServiceNow", "support", 3),
    ("Airtable", "sheet", 3), ("Expensify", "finance", 2), ("Sage Intacct", "finance", 2), ("Rippling", "hr", 2),
    ("Twilio", "collab", 2), ("DocuSign", "crm", 2), ("Productboard", "product", 2), ("Front", "support", 2),
)

# Other spellings teams type. Alias-table spellings (data/system_aliases.csv) make a cluster that only
# the alias table can find; case variants are matched by the normalised key.
SYSTEM_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Salesforce": ("SFDC", "Salesforce.com", "SF CRM", "Salesforce Sales Cloud", "salesforce"),
    "HubSpot": ("HubSpot CRM", "Hubspot"),
    "NetSuite": ("Oracle NetSuite", "Netsuite", "Net Suite"),
    "QuickBooks": ("QBO", "QuickBooks Online"),
    "Microsoft Dynamics 365": ("Dynamics", "D365", "Dynamics 365", "MS Dynamics 365"),
    "Google Sheets": ("GSheets", "google sheets"),
    "BigQuery": ("Google BigQuery", "Big Query"),
    "Outlook": ("Microsoft Outlook",),
    "Jira": ("Atlassian Jira", "JIRA"),
    "Snowflake": ("snowflake",),
    "Stripe": ("stripe",),
    "Zendesk": ("ZenDesk",),
}

# Internal services: a distinctive code name plus what it does ("Kestrel Billing"). Code names are
# far enough apart that no two services look like spelling variants of each other.
CODE_NAMES: tuple[str, ...] = (
    "Kestrel", "Osprey", "Heron", "Puffin", "Condor", "Magpie", "Pelican", "Toucan", "Albatross", "Cormorant",
    "Starling", "Nightjar", "Warbler", "Bittern", "Plover", "Sandpiper", "Kingfisher", "Woodpecker", "Flamingo",
    "Ibis", "Quetzal", "Hoopoe", "Lapwing", "Merlin", "Peregrine", "Goshawk", "Buzzard", "Jackdaw", "Rook",
    "Wren", "Finch", "Oriole", "Tanager", "Vireo", "Grebe", "Loon", "Gannet", "Skua", "Tern", "Egret",
    "Basalt", "Granite", "Quartz", "Obsidian", "Feldspar", "Gypsum", "Jasper", "Onyx", "Pumice", "Shale",
    "Cobalt", "Bismuth", "Tungsten", "Vanadium", "Iridium", "Osmium", "Rhodium", "Titanium", "Zirconium",
    "Andromeda", "Cassiopeia", "Orion", "Perseus", "Lyra", "Draco", "Cygnus", "Aquila", "Vega", "Rigel",
    "Sirius", "Altair", "Deneb", "Procyon", "Capella", "Arcturus", "Polaris", "Antares", "Betelgeuse",
    "Danube", "Rhine", "Volga", "Mekong", "Yukon", "Zambezi", "Orinoco", "Tigris", "Indus", "Ganges",
    "Amazon River", "Nile Delta", "Loire", "Tagus", "Elbe", "Oder", "Vistula", "Dnieper", "Limpopo", "Murray",
    "Juniper", "Sequoia", "Cypress", "Magnolia", "Hawthorn", "Rowan", "Alder", "Linden", "Sycamore", "Tamarind",
    "Baobab", "Mahogany", "Eucalyptus", "Acacia", "Hemlock", "Larch", "Spruce", "Willow", "Hazel", "Olive",
    "Everest", "Kilimanjaro", "Matterhorn", "Denali", "Aconcagua", "Elbrus", "Fuji", "Olympus", "Rainier",
    "Shasta", "Whitney", "Logan", "Vinson", "Kosciuszko", "Etna", "Vesuvius", "Stromboli", "Krakatoa",
    "Mercator", "Ptolemy", "Kepler", "Galileo", "Copernicus", "Halley", "Hubble", "Herschel", "Cassini",
    "Huygens", "Newton", "Faraday", "Maxwell", "Curie", "Noether", "Lovelace", "Hopper", "Turing", "Shannon",
    "Dijkstra", "Knuth", "Ritchie", "Thompson", "Liskov", "Hamilton", "Babbage", "Boole", "Euler", "Gauss",
    "Riemann", "Hilbert", "Cantor", "Fermat", "Pascal", "Leibniz", "Fibonacci", "Archimedes", "Euclid",
    "Pythagoras", "Hypatia", "Brahe", "Bohr", "Planck", "Dirac", "Fermi", "Pauli", "Heisenberg", "Schrodinger",
)
SERVICE_KINDS: tuple[tuple[str, str], ...] = (
    ("Billing", "billing"), ("Ledger", "finance"), ("Orders", "commerce"), ("Catalog", "commerce"),
    ("Identity", "identity"), ("Events", "pipeline"), ("Metering", "product"), ("Warehouse", "warehouse"),
    ("Payroll", "hr"), ("Helpdesk", "support"), ("Campaigns", "marketing"), ("Accounts", "crm"),
    ("Entitlements", "billing"), ("Provisioning", "identity"), ("Reporting", "warehouse"), ("Pricing", "commerce"),
    ("Notifications", "collab"), ("Onboarding", "crm"), ("Risk Engine", "finance"), ("Telemetry", "product"),
)

# Custom objects (Salesforce custom objects, internal tables): a qualifier and a noun. The words are
# far apart in spelling, so two custom objects are never near-misses of each other.
OBJECT_QUALIFIERS: tuple[str, ...] = (
    "Renewal", "Partner", "Region", "Usage", "Billing", "Contract", "Onboarding", "Escalation", "Discount",
    "Commission", "Warranty", "Loyalty", "Referral", "Compliance", "Shipping", "Procurement", "Licence",
    "Forecast", "Health", "Expansion", "Churn", "Support", "Pricing", "Audit", "Tenant", "Channel", "Carrier",
    "Bundle", "Rebate", "Vendor", "Inventory", "Payroll", "Training", "Security", "Capacity", "Incident",
)
OBJECT_NOUNS: tuple[str, ...] = (
    "Schedule", "Snapshot", "Approval", "Tier", "Request", "Allocation", "Milestone", "Adjustment", "Ledger",
    "Exception", "Mapping", "Assignment", "Threshold", "Summary", "Batch", "Entitlement", "Checklist", "Score",
    "Window", "Quota", "Register", "Estimate", "Template", "Agreement", "Baseline", "Calendar",
)

TEAMS: tuple[str, ...] = (
    "Data Engineering", "Sales Ops", "Finance", "Customer Success", "Marketing Ops", "Product Analytics",
    "RevOps", "Support Ops", "People Ops", "IT", "Platform Engineering", "Growth", "Billing Engineering",
    "Partnerships", "Procurement", "Security", "Legal Ops", "Supply Chain", "Business Intelligence", "Payments",
)
TEAM_QUALIFIERS: tuple[str, ...] = (
    "EMEA", "APAC", "LATAM", "North America", "DACH", "Nordics", "UK", "Japan", "Enterprise", "SMB",
    "Consumer BU", "Payments BU", "Cloud BU", "Retail BU", "Public Sector",
)
FIRST_NAMES: tuple[str, ...] = (
    "Ana", "Björn", "Siobhán", "Hannah", "Zoë", "Marcus", "Rafael", "Priya", "Kenji", "Fatima", "Lukas", "Chloé",
    "Mateo", "Aisha", "Olumide", "Ingrid", "Tomás", "Mei", "Dmitri", "Leila", "Noah", "Sofía", "Arjun", "Nadia",
    "Emre", "Yuki", "Grace", "Pedro", "Amara", "Jonas", "Elif", "Diego", "Keira", "Hamid", "Lena", "Omar",
)
LAST_NAMES: tuple[str, ...] = (
    "Andersson", "O'Neill", "Okafor", "Müller", "Chen", "Ortega", "Silva", "Nakamura", "Haddad", "Kowalski",
    "Dubois", "Rossi", "García", "Nguyen", "Adeyemi", "Larsen", "Novak", "Yilmaz", "Petrov", "Kaur", "Schmidt",
    "Fernández", "Tanaka", "Mensah", "Jansen", "Papadopoulos", "Walsh", "Costa", "Ibrahim", "Lindqvist",
)
CONSUMER_SUBJECTS: tuple[str, ...] = (
    "Revenue", "Pipeline", "Customer health", "Product usage", "Support", "Finance", "Board", "Churn",
    "Marketing attribution", "Renewal", "Billing", "Collections", "Activation", "Expansion", "Hiring",
    "Capacity", "Inventory", "Fraud", "Partner", "Compliance", "Onboarding", "Forecast", "Margin", "Quota",
)
CONSUMER_KINDS: tuple[str, ...] = (
    "dashboard", "report", "review", "model", "queue", "close", "alerts", "digest", "forecast call", "playbook",
)
# Planted clusters get consumers of their own, named differently from every background consumer.
PRIVATE_CONSUMER_KINDS: tuple[str, ...] = ("tracker", "scorecard", "workbook", "standup", "handbook", "cockpit")

NAME_TEMPLATES: tuple[str, ...] = (
    "{src} {objs} to {tgt}", "{objs} sync {src} → {tgt}", "{tgt} {objs} import from {src}",
    "Nightly {objs} export ({src} to {tgt})", "{src} to {tgt} {objs}", "{objs} from {src} into {tgt}",
    "{team} {objs} feed to {tgt}",
)
NOTES: tuple[str, ...] = (
    "", "", "", "", "Runs nightly at 02:00 UTC", "Zapier zap, nobody has the login",
    "Workato recipe, runs every 15 minutes", 'Known as "the money sync"', "Fivetran connector, MAR cost shared",
    "Python script on a cron box, owner left in 2023", "Manual CSV export, checked by two people",
    "Replaces the old FTP drop\nkept for audit", "See runbook; pages on-call when it fails",
)

APPROACHES = (("no-code", 40), ("etl", 20), ("ipaas", 14), ("manual", 10), ("direct-api", 8),
              ("custom-platform", 4), ("internal-tool", 4))
TIERS = (("operational", 45), ("informational", 35), ("revenue-critical", 20))
TIMELINESS = (("batch", 60), ("near-real-time", 20), ("real-time", 20))
STATUSES = (("live", 82), ("proposed", 6), ("building", 4), ("deprecated", 5), ("retired", 3))
PLANTED_STATUSES = (("live", 80), ("building", 6), ("deprecated", 6), ("proposed", 8))
COMPLEXITY = (("", 92), ("simple", 2), ("moderate", 3), ("complex", 2), ("critical", 1))
BUILD_HOURS = (("10", 14), ("16", 8), ("20", 8), ("40", 7), ("12", 5), ("24", 4), ("60", 3), ("", 10),
               ("40-60", 8), ("60-80", 5), ("20-30", 6), ("120-160", 3), ("8/10/14", 3), ("60 to 80", 2),
               ("180-240", 2), ("2–3", 1), ("300/400/600", 1))
MAINTENANCE_HOURS = (("1", 28), ("2", 14), ("3", 8), ("4", 4), ("", 10), ("2-3", 8), ("1-2", 8), ("6-10", 4),
                     ("10 to 20", 2), ("8/10/14", 2), ("2–3", 2), ("0.5", 3), ("5", 3))
HOURLY_RATES = (("", 90), ("$150-$180", 3), ("$165", 2), ("$140/$160/$190", 2), ("$95", 1), ("120", 1),
                ("USD 200", 1))
TOOL_COSTS = (("0", 45), ("", 10), ("$150", 8), ("$300", 6), ("$49", 5), ("$1,200", 3), ("$650", 3),
              ("$300-$450", 4), ("250", 5), ("$2,500", 2), ("€400", 2), ("$99/$120/$180", 2), ("1,000", 5))
RECONCILIATIONS = (("0", 40), ("1", 18), ("2", 12), ("4", 10), ("", 8), ("6", 4), ("8", 3), ("12", 2),
                   ("2-4", 3))
RECONCILIATION_HOURS = (("", 35), ("1", 28), ("2", 15), ("3", 6), ("1.5", 6), ("0.5", 5), ("1-2", 5))
PEOPLE = (("", 32), ("1", 35), ("2", 25), ("3", 6), ("1-3", 2))
YES_NO = (("yes", 55), ("no", 30), ("", 8), ("Yes", 3), ("No", 2), ("y", 1), ("TRUE", 1))
OBJECTS_PER_ROW = ((1, 45), (2, 30), (3, 15), (4, 10))
CONSUMERS_PER_ROW = ((0, 20), (1, 40), (2, 28), (3, 12))
CLUSTER_SIZES = ((2, 50), (3, 28), (4, 12), (5, 6), (6, 4))


class _Weighted:
    """A fixed weighted choice, drawn by bisection on cumulative weights (fast for big tails)."""

    def __init__(self, items, weights) -> None:
        self.items = list(items)
        self.cumulative: list[float] = []
        running = 0.0
        for weight in weights:
            running += weight
            self.cumulative.append(running)
        self.total = running

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _table(pairs) -> _Weighted:
    return _Weighted([p[0] for p in pairs], [p[1] for p in pairs])


def _zipf(items, exponent: float = 1.0, offset: float = 1.0) -> _Weighted:
    return _Weighted(items, [1.0 / (rank + offset) ** exponent for rank in range(len(items))])


@dataclass
class _System:
    name: str
    kind: str
    key: str
    spellings: tuple[str, ...]  # other accepted spellings, alias table first
    objects: list[str] = field(default_factory=list)  # canonical object names, most common first
    pick: _Weighted | None = None


@dataclass
class _Row:
    cells: dict[str, str]
    planted: int | None = None  # index of the planted cluster, or None


class _Generator:
    def __init__(self, rows: int, seed: int) -> None:
        self.rows = rows
        self.rng = random.Random(seed)
        self.aliases = load_aliases()
        self.used: dict[tuple[str, str], set[str]] = {}  # sorted system-key pair -> object keys on it
        self._object_keys: dict[str, str] = {}
        self.consumer_names: set[str] = set()
        self._build_systems()
        self._build_people()

    # --- vocabulary -----------------------------------------------------------------------------
    def object_key(self, name: str) -> str:
        key = self._object_keys.get(name)
        if key is None:
            key = self._object_keys[name] = object_key(name, self.aliases)
        return key

    def _custom_objects(self, count: int, taken: set[str]) -> list[str]:
        names = [n for n in _custom_object_names() if self.object_key(n) not in taken]
        names = self.rng.sample(names, min(count, len(names)))
        taken.update(self.object_key(n) for n in names)
        return names

    def _build_systems(self) -> None:
        rng = self.rng
        # The tail of internal services grows with the registry: 25 at 1,000 rows, 2,500 at 100,000.
        tail = max(20, min(len(CODE_NAMES) * len(SERVICE_KINDS), self.rows // 40))
        systems: list[_System] = []
        weights: list[float] = []
        for name, kind, weight in SAAS_SYSTEMS:
            systems.append(_System(name, kind, normalize_key(name), SYSTEM_SPELLINGS.get(name, ())))
            weights.append(weight)
        # Every (code name, function) combination, shuffled; a service whose name is a near-miss of
        # an earlier one ("Dirac Billing" and "Draco Billing") is skipped, so the only name
        # suggestions the analysis makes are ones a real registry would have too.
        combos = [(code, function, kind) for code in CODE_NAMES for function, kind in SERVICE_KINDS]
        rng.shuffle(combos)
        seen = {s.key for s in systems}
        named: dict[str, list[str]] = {}  # function -> service names with it
        for code, function, kind in combos:
            if len(systems) - len(SAAS_SYSTEMS) >= tail:
                break
            name = f"{code} {function}"
            key = normalize_key(name)
            same_function = named.setdefault(function, [])
            if key in seen or process.extractOne(
                name, same_function, scorer=fuzz.token_set_ratio, processor=utils.default_process,
                score_cutoff=NEAR_MISS,
            ):
                continue
            seen.add(key)
            same_function.append(name)
            systems.append(_System(name, kind, key, ()))
            # The tail is long and thin: a Zipf-like fall-off below the smallest SaaS weight.
            weights.append(2.5 / (1 + (len(systems) - len(SAAS_SYSTEMS)) / 40) ** 0.8)
        for system, popularity in zip(systems, weights):
            taken: set[str] = set()
            core: list[str] = []
            for name in DOMAIN_OBJECTS[system.kind]:
                if self.object_key(name) not in taken:
                    taken.add(self.object_key(name))
                    core.append(name)
            # Popular systems carry more custom objects (Salesforce orgs are full of them).
            extra = int(8 + 2.5 * popularity) + rng.randrange(6)
            system.objects = core + self._custom_objects(extra, taken)
            system.pick = _zipf(system.objects, exponent=0.9, offset=1.5)
        self.systems = systems
        self.system_pick = _Weighted(systems, weights)

    def _build_people(self) -> None:
        rng = self.rng
        team_count = max(8, min(len(TEAMS) * (1 + len(TEAM_QUALIFIERS)), 6 + self.rows // 400))
        teams = list(TEAMS)
        for qualifier in TEAM_QUALIFIERS:
            teams += [f"{team} {qualifier}" for team in TEAMS]
        self.teams = teams[:team_count]
        self.team_pick = _zipf(self.teams, exponent=0.8, offset=2)
        people = sorted({f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES})
        rng.shuffle(people)
        self.owner_pick = _zipf(people[: max(30, min(len(people), self.rows // 15))], exponent=0.5, offset=5)
        consumers = [f"{subject} {kind}" for subject in CONSUMER_SUBJECTS for kind in CONSUMER_KINDS]
        rng.shuffle(consumers)
        consumers = consumers[: max(40, min(len(consumers), 30 + self.rows // 100))]
        self.consumer_names.update(normalize_key(c) for c in consumers)
        self.consumer_pick = _zipf(consumers, exponent=0.9, offset=3)

    # --- spelling -------------------------------------------------------------------------------
    def spell_system(self, system: _System, variant_share: float = 0.15) -> str:
        if system.spellings and self.rng.random() < variant_share:
            return self.rng.choice(system.spellings)
        return system.name

    def spell_object(self, name: str, variant_share: float = 0.15) -> str:
        rng = self.rng
        if rng.random() >= variant_share:
            return name
        key = self.object_key(name)
        candidates = [alias for alias, canonical in _OBJECT_ALIAS_PAIRS if canonical == name]
        candidates += [name + "s", name.lower(), name.upper()]
        if name.endswith("y") and not name.endswith(("ay", "ey", "oy", "uy")):
            candidates.append(name[:-1] + "ies")
        good = [c for c in candidates if self.object_key(c) == key]
        return rng.choice(good) if good else name

    # --- rows -----------------------------------------------------------------------------------
    def _pair(self, a: _System, b: _System) -> tuple[str, str]:
        return (a.key, b.key) if a.key < b.key else (b.key, a.key)

    def _route(self) -> tuple[_System, _System]:
        while True:
            source, target = self.system_pick.draw(self.rng), self.system_pick.draw(self.rng)
            if source.key != target.key:
                return source, target

    def _free_objects(self, source: _System, target: _System, wanted: int) -> list[str]:
        """Up to ``wanted`` objects of the source (sometimes the target) not yet moved between the two."""
        used = self.used.get(self._pair(source, target), set())
        chosen: list[str] = []
        keys: set[str] = set()
        for _ in range(wanted * 4):
            system = source if self.rng.random() < 0.8 else target
            name = system.pick.draw(self.rng)
            key = self.object_key(name)
            if key in used or key in keys:
                continue
            chosen.append(name)
            keys.add(key)
            if len(chosen) == wanted:
                break
        return chosen

    def _reserve(self, source: _System, target: _System, objects) -> None:
        used = self.used.setdefault(self._pair(source, target), set())
        used.update(self.object_key(o) for o in objects)

    def _costs(self, cells: dict[str, str]) -> None:
        rng = self.rng
        cells["build_hours"] = _BUILD.draw(rng)
        cells["monthly_maintenance_hours"] = _MAINTENANCE.draw(rng)
        cells["hourly_rate"] = _RATE.draw(rng)
        cells["monthly_tool_cost"] = _TOOLS.draw(rng)
        cells["reconciliations_per_month"] = _RECONCILIATIONS.draw(rng)
        cells["reconciliation_hours"] = _RECONCILIATION_HOURS.draw(rng)
        cells["people_touching"] = _PEOPLE.draw(rng)
        for column in ("has_monitoring", "has_retry", "has_audit_trail", "source_of_truth_defined", "documented"):
            cells[column] = _YES_NO.draw(rng)

    def _launched(self, status: str) -> str:
        rng = self.rng
        if status == "proposed" or rng.random() < 0.04:
            return ""
        day = date(2016, 1, 1) + timedelta(days=rng.randrange(9 * 365))
        form = rng.random()
        if form < 0.85:
            return day.isoformat()
        if form < 0.92:
            return day.strftime("%m/%d/%Y")
        if form < 0.96:
            return day.strftime("%d.%m.%Y")
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"  # English whatever the locale

    def _row(self, source: _System, target: _System, objects: list[str], *, bidirectional: bool,
             status: str, team: str, consumers: list[str], owned: bool, source_spelling: str,
             target_spelling: str, object_spellings: list[str]) -> dict[str, str]:
        rng = self.rng
        if len(objects) == 1:
            shown = objects[0]
        elif len(objects) == 2:
            shown = f"{objects[0]} and {objects[1]}"
        else:
            shown = f"{objects[0]}, {objects[1]} and more"
        name = rng.choice(NAME_TEMPLATES).format(src=source_spelling, tgt=target_spelling, objs=shown, team=team)
        cells = dict.fromkeys(COLUMNS, "")
        cells.update({
            "name": name, "source_system": source_spelling, "target_system": target_spelling,
            "data_objects": rng.choice(("; ", ";", " | ")).join(object_spellings), "owner_team": team,
            "owner": self.owner_pick.draw(rng) if owned else "", "consumers": "; ".join(consumers),
            "direction": "bidirectional" if bidirectional else rng.choice(("one-way", "one-way", "one-way", "")),
            "approach": _APPROACH.draw(rng), "tier": _TIER.draw(rng), "timeliness": _TIMELINESS.draw(rng),
            "status": status, "complexity": _COMPLEXITY.draw(rng), "launched_on": self._launched(status),
            "notes": rng.choice(NOTES),
            EXTRA_COLUMN: f"INTG-{rng.randrange(100, 9999)}" if rng.random() < 0.3 else "",
        })
        self._costs(cells)
        return cells

    def _consumers(self) -> list[str]:
        count = _CONSUMER_COUNT.draw(self.rng)
        chosen: list[str] = []
        for _ in range(count * 3):
            name = self.consumer_pick.draw(self.rng)
            if name not in chosen:
                chosen.append(name)
            if len(chosen) == count:
                break
        return chosen

    def _private_consumer(self, team: str, obj: str) -> str:
        rng = self.rng
        for _ in range(50):
            kind = rng.choice(PRIVATE_CONSUMER_KINDS)
            qualifier = rng.choice(TEAM_QUALIFIERS + ("weekly", "monthly", "quarterly", "daily"))
            name = f"{team} {obj} {kind} {qualifier}"
            if normalize_key(name) not in self.consumer_names:
                self.consumer_names.add(normalize_key(name))
                return name
        name = f"{team} {obj} {rng.choice(PRIVATE_CONSUMER_KINDS)} {len(self.consumer_names)}"
        self.consumer_names.add(normalize_key(name))
        return name

    def planted_cluster(self, number: int) -> list[dict[str, str]]:
        rng = self.rng
        # Planted routes lean on the systems people spell differently, where only aliases find them.
        aliased = [s for s in self.systems if s.spellings]
        for _ in range(200):
            if rng.random() < 0.6:
                source = rng.choice(aliased)
                target = self.system_pick.draw(rng)
            else:
                source, target = self._route()
            if rng.random() < 0.5:
                source, target = target, source
            if source.key == target.key:
                continue
            shared = self._free_objects(source, target, 1)
            if shared:
                break
        else:  # pragma: no cover - the vocabulary is far larger than any registry needs
            raise RuntimeError("no free route for a planted cluster")
        obj = shared[0]
        self._reserve(source, target, shared)
        size = _CLUSTER_SIZE.draw(rng)
        has_reversed = rng.random() < 0.35
        private = [self._private_consumer(self.team_pick.draw(rng), obj) for _ in range(rng.choice((0, 1, 1, 2)))]
        teams: list[str] = []
        rows: list[dict[str, str]] = []
        for member in range(size):
            team = self.team_pick.draw(rng)
            for _ in range(5):  # usually a different team built each copy
                if team not in teams:
                    break
                team = self.team_pick.draw(rng)
            teams.append(team)
            reversed_member = has_reversed and member == size - 1
            src, tgt = (target, source) if reversed_member else (source, target)
            extra = self._free_objects(source, target, _OBJECTS_COUNT.draw(rng) - 1) if rng.random() < 0.5 else []
            self._reserve(source, target, extra)
            objects = [obj, *extra]
            rng.shuffle(objects)
            # The first member spells everything canonically, the others as their team does.
            share = 0.0 if member == 0 else 0.6
            consumers = [c for c in private if rng.random() < 0.7]
            rows.append(self._row(
                src, tgt, objects, bidirectional=reversed_member or rng.random() < 0.05,
                status="live" if member == 0 else _PLANTED_STATUS.draw(rng), team=team, consumers=consumers,
                owned=member == 0 or rng.random() < 0.75,
                source_spelling=self.spell_system(src, share), target_spelling=self.spell_system(tgt, share),
                object_spellings=[self.spell_object(o, share) for o in objects],
            ))
        return rows

    def background_row(self) -> dict[str, str]:
        rng = self.rng
        wanted = _OBJECTS_COUNT.draw(rng)
        for _attempt in range(60):
            source, target = self._route()
            objects = self._free_objects(source, target, wanted)
            if objects:
                break
        else:  # pragma: no cover - only a tiny, saturated vocabulary gets here
            raise RuntimeError("the generator ran out of free routes; add systems or objects")
        self._reserve(source, target, objects)
        status = _STATUS.draw(rng)
        return self._row(
            source, target, objects, bidirectional=rng.random() < 0.06, status=status,
            team=self.team_pick.draw(rng), consumers=self._consumers(), owned=rng.random() < 0.88,
            source_spelling=self.spell_system(source), target_spelling=self.spell_system(target),
            object_spellings=[self.spell_object(o) for o in objects],
        )


_OBJECT_ALIAS_PAIRS = (("Opp", "Opportunity"), ("Oppty", "Opportunity"), ("Opty", "Opportunity"),
                       ("Acct", "Account"), ("Sub", "Subscription"), ("Cust", "Customer"),
                       ("Org", "Organization"), ("JE", "Journal Entry"), ("PO", "Purchase Order"))
_APPROACH, _TIER, _TIMELINESS = _table(APPROACHES), _table(TIERS), _table(TIMELINESS)
_STATUS, _PLANTED_STATUS, _COMPLEXITY = _table(STATUSES), _table(PLANTED_STATUSES), _table(COMPLEXITY)
_BUILD, _MAINTENANCE = _table(BUILD_HOURS), _table(MAINTENANCE_HOURS)
_RATE, _TOOLS = _table(HOURLY_RATES), _table(TOOL_COSTS)
_RECONCILIATIONS, _RECONCILIATION_HOURS, _PEOPLE = _table(RECONCILIATIONS), _table(RECONCILIATION_HOURS), _table(PEOPLE)
_YES_NO, _OBJECTS_COUNT, _CONSUMER_COUNT = _table(YES_NO), _table(OBJECTS_PER_ROW), _table(CONSUMERS_PER_ROW)
_CLUSTER_SIZE = _table(CLUSTER_SIZES)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


NEAR_MISS = 85  # the similarity from which the analysis suggests two names may be one (core.domain.names)


@lru_cache(maxsize=1)
def _custom_object_names() -> tuple[str, ...]:
    """Every qualifier-noun custom object whose name is not a near-miss of another object's name."""
    kept: list[str] = sorted({o for objects in DOMAIN_OBJECTS.values() for o in objects})
    domain = len(kept)
    for qualifier in OBJECT_QUALIFIERS:
        for noun in OBJECT_NOUNS:
            name = f"{qualifier} {noun}"
            if not process.extractOne(name, kept, scorer=fuzz.ratio, processor=utils.default_process,
                                      score_cutoff=NEAR_MISS):
                kept.append(name)
    return tuple(kept[domain:])


def planted_cluster_count(rows: int) -> int:
    """How many clusters a registry of ``rows`` gets: one per 40 rows, at least 2 (about 7% of rows).

    >>> planted_cluster_count(300), planted_cluster_count(10_000)
    (8, 250)
    """
    return max(2, round(rows / 40))


def generate_registry(rows: int, seed: int) -> tuple[str, list[list[str]]]:
    """A synthetic registry of ``rows`` integrations as CSV text, and its planted clusters.

    >>> text, planted = generate_registry(200, seed=7)
    >>> text.count("\\nINT-") >= 200 - text.count('"'), len(planted), all(len(c) >= 2 for c in planted)
    (True, 5, True)

    Args:
        rows: number of integrations (at least 10).
        seed: random seed; the same rows and seed give the same text.

    Returns:
        ``(csv_text, planted)``: the registry and, per planted cluster, its member ids (sorted).
    """
    if rows < 10:
        raise ValueError(f"rows must be at least 10 (got {rows})")
    generator = _Generator(rows, seed)
    rng = generator.rng
    records: list[_Row] = []
    for number in range(planted_cluster_count(rows)):
        if len(records) >= rows // 3:
            break  # small registries: keep most rows in the background
        records += [_Row(cells, planted=number) for cells in generator.planted_cluster(number)]
    while len(records) < rows:
        records.append(_Row(generator.background_row()))
    del records[rows:]  # never trims a planted row: they were added first and rows // 3 < rows
    rng.shuffle(records)
    width = max(5, len(str(rows)))
    clusters: dict[int, list[str]] = {}
    for position, record in enumerate(records, start=1):
        record.cells["id"] = f"INT-{position:0{width}d}"
        if record.planted is not None:
            clusters.setdefault(record.planted, []).append(record.cells["id"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([record.cells[c] for c in COLUMNS])
    planted = sorted((sorted(ids) for ids in clusters.values()), key=lambda ids: ids[0])
    return buffer.getvalue(), planted


def planted_clusters_csv(planted: list[list[str]]) -> str:
    """The ground truth in the ``cluster,member_ids`` format of ``data/sample_planted_clusters.csv``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("cluster", "member_ids"))
    for number, ids in enumerate(planted, start=1):
        writer.writerow((f"planted-{number:04d}", ";".join(ids)))
    return buffer.getvalue()


def read_planted_clusters(path: Path) -> list[set[str]]:
    """Read a ``cluster,member_ids`` ground-truth file back as sets of ids."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [set(filter(None, (m.strip() for m in row["member_ids"].split(";")))) for row in csv.DictReader(handle)]


def planted_path_for(out: Path) -> Path:
    """Where the ground truth of ``out`` goes: ``<stem>_planted_clusters.csv`` beside it."""
    return out.with_name(f"{out.stem}_planted_clusters.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, required=True, help="number of integrations (at least 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="registry CSV to write")
    args = parser.parse_args(argv)
    if args.rows < 10:
        parser.error("--rows must be at least 10")
    text, planted = generate_registry(args.rows, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="")
    truth = planted_path_for(args.out)
    truth.write_text(planted_clusters_csv(planted), encoding="utf-8", newline="")
    print(f"wrote {args.rows} integrations to {args.out} and {len(planted)} planted clusters to {truth}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
