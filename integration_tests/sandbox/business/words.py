"""Names and words of a Melbourne plumbing & electrical business (plain data, no logic)."""

from __future__ import annotations

BUSINESS = "Yarra Plumbing & Electrical"
BU_NAMES = ["Yarra Plumbing & Electrical", "Yarra Commercial Services", "Yarra Maintenance",
            "Yarra Solar & Energy", "Yarra Gas & Hot Water", "Yarra Projects"]
BU_SHORT = ["YPE", "YCS", "YMT", "YSE", "YGH", "YPR"]

# Staff and people. Melbourne is multicultural: the names carry accents and other scripts.
GIVEN = ["Liam", "Olivia", "Noah", "Charlotte", "Jack", "Amelia", "Oliver", "Isla", "William", "Mia",
         "Thomas", "Ava", "James", "Grace", "Lucas", "Chloé", "Henry", "Zoë", "Ethan", "Sophie",
         "Mason", "Ruby", "Lachlan", "Harper", "Cooper", "Matilda", "Riley", "Evie", "Hamish", "Siobhán",
         "Aroha", "Tāne", "Ngaio", "Wei", "Mei", "Jun", "Priya", "Arjun", "Ananya", "Minh", "Linh",
         "Duc", "Giorgos", "Eleni", "Dimitri", "Marco", "Giulia", "Ahmed", "Fatima", "Omar", "José",
         "Søren", "Björn", "Émile", "Ana", "Rhys", "Declan", "Bronte", "Kirra", "Jarrah"]
SURNAMES = ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson", "Martin",
            "White", "Anderson", "Walker", "Thompson", "Kelly", "Ryan", "O'Brien", "Murphy", "Harris",
            "Papadopoulos", "Rossi", "Lee", "Chen", "王", "李", "Tran", "Nguyễn", "Patel", "Singh",
            "Kowalski", "Müller", "Ngata", "Te Rangi", "Ó Súilleabháin", "Døssing", "García", "Costa",
            "Mitchell", "Campbell", "Stewart", "Robinson", "Clarke", "Wright", "Hughes", "Edwards",
            "Baker", "Fraser", "Morrison", "McDonald", "Hall", "Young"]

# Positions: (name, kind). Kinds: manager, office, estimator, tech, apprentice.
POSITIONS = [("Director", "manager"), ("Office Manager", "office"), ("Administration", "office"),
             ("Estimator", "estimator"), ("Service Coordinator", "office"), ("Plumber", "tech"),
             ("Electrician", "tech"), ("Senior Plumber", "tech"), ("Senior Electrician", "tech"),
             ("Gasfitter", "tech"), ("Apprentice Plumber", "apprentice"),
             ("Apprentice Electrician", "apprentice"), ("Project Manager", "manager"),
             ("Accounts", "office"), ("Drainer", "tech"), ("Solar Installer", "tech")]
PERMISSION_GROUPS = ["Management", "Office", "Field Staff", "Apprentices", "Accounts", "Estimating",
                     "Scheduling", "Stores", "Read Only", "Contractors"]
ACCESS = {"manager": "Admin", "office": "Office", "estimator": "Office", "tech": "Field",
          "apprentice": "Field"}
FEATURES = ["Integration Menu", "Timesheets", "Schedule", "Inventory", "Purchase Orders", "Quotes",
            "Invoices", "Reports", "Assets", "Documents"]
TRACKING_CENTRES = [("Labour", "labour"), ("Materials", "material"), ("Expenses", "expense"),
                    ("Freight", "freight"), ("Plumbing Labour", "labour"),
                    ("Electrical Labour", "labour"), ("Plumbing Materials", "material"),
                    ("Electrical Materials", "material"), ("Subcontractors", "material"),
                    ("Plant & Equipment", "asset"), ("Solar Labour", "labour"),
                    ("Gas Labour", "labour")]
TERMS = [("C.O.D", 0), ("7 Days", 7), ("14 Days", 14), ("30 Days", 30), ("30 Days EOM", 45),
         ("60 Days", 60), ("Progress Claims", 21), ("Strata 28 Days", 28)]
TASK_TYPES = [("Service", "plumbing"), ("Maintenance", "plumbing"), ("Installation", "electrical"),
              ("Emergency", "plumbing"), ("Hot Water", "plumbing"), ("Blocked Drain", "plumbing"),
              ("Gas Fitting", "plumbing"), ("Switchboard Upgrade", "electrical"),
              ("Lighting", "electrical"), ("Power Points", "electrical"), ("Solar", "electrical"),
              ("Smoke Alarms", "electrical"), ("Backflow Testing", "plumbing"),
              ("Warranty", "plumbing"), ("Inspection", "electrical"), ("Renovation", "plumbing")]
# Task substatuses: (name, main status it goes with).
TASK_SUBSTATUS = [("Booked", "notstarted"), ("Waiting for Parts", "pending"),
                  ("Awaiting Client Approval", "pending"), ("Follow Up Required", "inprogress"),
                  ("Job Complete", "completed"), ("Ready to Invoice", "completed"),
                  ("On Hold", "pending"), ("Return Visit Needed", "inprogress")]
QUOTE_SUBSTATUS = [("Sent to Client", "quote"), ("Follow Up", "quote"), ("Site Visit Booked", "quote")]
PRIORITIES = [("P1 Emergency", 240), ("P2 Urgent 24hrs", 1440), ("P3 48hrs", 2880), ("P4 1 Week", 10080),
              ("P5 Scheduled", 40320)]
ASSET_CATEGORIES = ["Hot Water Units", "Split Systems", "Switchboards", "Backflow Devices", "RCDs",
                    "Pumps", "Solar Inverters", "Gas Appliances", "Smoke Alarms", "Tempering Valves",
                    "Water Filters", "Exhaust Fans", "Evaporative Coolers", "Lighting", "Vehicles"]
ASSET_MODELS = {  # category -> (manufacturer, model, name)
    "Hot Water Units": [("Rheem", "491315", "Rheem Stellar 315L Gas Storage"),
                        ("Rinnai", "INF26", "Rinnai Infinity 26 Continuous Flow"),
                        ("Dux", "315T2", "Dux Proflo 315L Electric")],
    "Split Systems": [("Mitsubishi Electric", "MSZGL25VGDKIT", "2.5kw Reverse Cycle Inverter Split System"),
                      ("Daikin", "FTXM35U", "Daikin Cora 3.5kW Split System")],
    "Switchboards": [("Clipsal", "MAX9", "Clipsal Max9 Switchboard"), ("Hager", "VML912", "Hager 12 Pole Board")],
    "Backflow Devices": [("Zurn Wilkins", "975XL", "Zurn Wilkins 975XL RPZ"), ("Apollo", "4A100", "Apollo DCV 20mm")],
    "RCDs": [("Clipsal", "4RC240", "Clipsal RCBO 40A"), ("Hager", "ADA916", "Hager RCBO 16A")],
    "Pumps": [("Grundfos", "SCALA2", "Grundfos Scala2 Pressure Pump"), ("Davey", "HM60", "Davey HM60 Pump")],
    "Solar Inverters": [("Fronius", "PRIMO5", "Fronius Primo 5kW"), ("SMA", "SB5.0", "SMA Sunny Boy 5.0")],
    "Gas Appliances": [("Rinnai", "NEO", "Rinnai Neo Gas Heater"), ("Bosch", "PGH6", "Bosch Gas Cooktop")],
    "Smoke Alarms": [("Clipsal", "755PSMA", "Clipsal Photoelectric Smoke Alarm"),
                     ("Red", "R240RC", "Red 240V Interconnected Alarm")],
    "Tempering Valves": [("Reliance", "HEATGUARD", "Reliance Heatguard Tempering Valve")],
    "Water Filters": [("Puretec", "PH2", "Puretec Whole House Filter")],
    "Exhaust Fans": [("Fanco", "XPF", "Fanco Ceiling Exhaust Fan")],
    "Evaporative Coolers": [("Breezair", "EXQ170", "Breezair EXQ170")],
    "Lighting": [("Brightgreen", "D900", "Brightgreen D900 Downlight")],
    "Vehicles": [("Toyota", "HIACE", "Toyota HiAce Service Van"), ("Ford", "TRANSIT", "Ford Transit Van")],
}
CUSTOM_HOLDERS = ["Warehouse - Bayswater", "Van 01 - Toyota HiAce", "Van 02 - Toyota HiAce",
                  "Van 03 - Ford Transit", "Van 04 - Ford Transit", "Van 05 - Isuzu Tipper",
                  "Van 06 - Toyota HiAce", "Van 07 - VW Crafter", "Site Container - Docklands",
                  "Returns Shelf"]

# Inventory: (category, family, unit cost range in cents, sizes, supplier kind, manufacturer)
INVENTORY_CATEGORIES = ["Copper Pipe & Fittings", "PVC Drainage", "PEX & Fittings", "Valves & Taps",
                        "Hot Water Parts", "Gas Fittings", "Cable - Twin & Earth", "Switchgear",
                        "Power Points & Switches", "Lighting", "Conduit & Accessories", "Adaptable Boxes",
                        "Fixings & Consumables", "Sealants & Tapes", "Smoke Alarms", "Solar & Batteries"]
INVENTORY_FAMILIES = [
    (0, "Copper Pipe Type B", (900, 2600), ["15mm x 6m", "20mm x 6m", "25mm x 6m"], "plumbing", "Kembla"),
    (0, "Copper Elbow 90deg", (180, 650), ["15mm", "20mm", "25mm"], "plumbing", "Ardent"),
    (0, "Copper Tee Equal", (250, 900), ["15mm", "20mm", "25mm"], "plumbing", "Ardent"),
    (1, "PVC DWV Pipe", (1200, 4200), ["50mm x 6m", "65mm x 6m", "100mm x 6m"], "plumbing", "Iplex"),
    (1, "PVC DWV Bend 88deg", (300, 1400), ["50mm", "65mm", "100mm"], "plumbing", "Iplex"),
    (1, "PVC Solvent Cement", (1100, 1900), ["250ml", "500ml"], "plumbing", "Mega"),
    (2, "PEX Pipe Rehau", (350, 900), ["16mm per m", "20mm per m", "25mm per m"], "plumbing", "Rehau"),
    (2, "PEX Crimp Coupling", (420, 1100), ["16mm", "20mm", "25mm"], "plumbing", "Rehau"),
    (3, "Ball Valve Lever", (1500, 5200), ["15mm", "20mm", "25mm"], "plumbing", "Cim"),
    (3, "Mixer Tap Basin", (9000, 26000), ["Chrome", "Matte Black"], "plumbing", "Methven"),
    (3, "Cistern Inlet Valve", (1800, 3200), ["Bottom Entry", "Side Entry"], "plumbing", "Caroma"),
    (4, "Thermostat HWS", (4500, 9500), ["Rheem", "Dux"], "plumbing", "Robertshaw"),
    (4, "Element HWS 3.6kW", (3800, 7200), ["Screw-in", "Flange"], "plumbing", "Rheem"),
    (4, "Tempering Valve", (9000, 16000), ["15mm", "20mm"], "plumbing", "Reliance"),
    (4, "PTR Valve", (3500, 6800), ["850kPa", "1000kPa"], "plumbing", "Reliance"),
    (5, "Gas Cock Bayonet", (2400, 4800), ["Wall", "Floor"], "plumbing", "Gas Fittings Co"),
    (5, "Gas Regulator", (4000, 11000), ["LPG", "Natural Gas"], "plumbing", "Reliance"),
    (6, "2.5mm 2 Core & Earth Flat", (80, 130), ["per m", "100m roll"], "electrical", "Various Cable Brands"),
    (6, "1.5mm 2 Core & Earth Flat", (60, 95), ["per m", "100m roll"], "electrical", "Various Cable Brands"),
    (6, "6mm Twin & Earth", (300, 520), ["per m"], "electrical", "Various Cable Brands"),
    (7, "Circuit Breaker", (900, 2800), ["10A 1P", "16A 1P", "20A 1P", "32A 1P"], "electrical", "Clipsal"),
    (7, "RCBO", (3800, 7600), ["10A", "16A", "20A"], "electrical", "Clipsal"),
    (7, "Main Switch", (1600, 4200), ["63A 1P", "63A 3P"], "electrical", "Hager"),
    (8, "Double GPO", (700, 2100), ["White", "Black"], "electrical", "Clipsal"),
    (8, "Light Switch 1 Gang", (400, 1300), ["White", "Black"], "electrical", "Clipsal"),
    (8, "Weatherproof GPO", (2300, 4700), ["Single", "Double"], "electrical", "Clipsal"),
    (9, "LED Downlight 10W", (1200, 3600), ["Warm White", "Tri-Colour"], "electrical", "Brightgreen"),
    (9, "LED Batten 1200mm", (2600, 5400), ["36W"], "electrical", "Ledvance"),
    (10, "Conduit Grey 20mm", (250, 480), ["4m length"], "electrical", "Clipsal"),
    (10, "Conduit Saddle", (20, 60), ["20mm", "25mm"], "electrical", "Clipsal"),
    (11, "Wattmaster Square Adaptable Box", (300, 900), ["100x100", "150x150"], "electrical", "Wattmaster"),
    (12, "Tek Screws", (900, 1500), ["10g x 16 (100)", "12g x 25 (100)"], "plumbing", "Buildex"),
    (12, "Cable Ties", (400, 1200), ["200mm (100)", "300mm (100)"], "electrical", "Nylex"),
    (13, "Thread Tape", (150, 400), ["12mm x 10m"], "plumbing", "Teflon"),
    (13, "Silicone Sealant", (900, 1600), ["Clear", "White"], "plumbing", "Selleys"),
    (14, "Smoke Alarm 240V", (4500, 8200), ["Photoelectric", "Interconnect"], "electrical", "Red"),
    (15, "Solar Isolator", (5000, 12000), ["DC 1000V", "AC 32A"], "electrical", "IMO"),
]
WHOLESALERS = {"plumbing": ["Reece Plumbing", "Tradelink", "Plumbing Plus", "Samios Plumbing Supplies",
                            "Bunnings Trade", "Rheem Australia", "Rinnai Australia"],
               "electrical": ["MMEM Electrical", "Lawrence & Hanson", "Middy's Electrical",
                              "Rexel", "CNW Electrical Wholesale", "Haymans Electrical"]}
CONTRACTORS = ["Concrete Cutting", "Excavations", "Drain Camera Services", "Leak Detection",
               "Roofing", "Tiling", "Plastering", "Asbestos Removal", "Traffic Control",
               "Scaffolding", "Crane Hire", "Carpentry"]
SERVICES = ["Fuel Card Services", "Tip Fees Victoria", "Equipment Hire", "Fleet Maintenance",
            "Uniform Supplies", "Safety Supplies"]

# Clients.
COMMERCIAL_KINDS = [("Real Estate", ["Ray White", "Barry Plant", "Jellis Craig", "Nelson Alexander",
                                     "Biggin & Scott", "Harcourts", "Fletchers", "Belle Property"]),
                    ("Strata", ["Bayside Strata", "Urban Owners Corporation", "Vic Body Corporate",
                                "Premier Strata Management"]),
                    ("Hospitality", ["Café", "Bistro", "Espresso Bar", "Dumpling House", "Pizzeria",
                                     "Hotel"]),
                    ("Education", ["Primary School", "Secondary College", "Kindergarten",
                                   "Early Learning Centre"]),
                    ("Builder", ["Homes", "Constructions", "Builders", "Developments"]),
                    ("Health", ["Medical Centre", "Dental Clinic", "Physio", "Pharmacy"]),
                    ("Retail", ["Bakery", "Hardware", "Florist", "Gym", "Supermarket"])]
AD_SOURCES = ["Word of Mouth", "Google", "Repeat Client", "Facebook", "Real Estate Referral", "Van Signage"]

# Melbourne suburbs: (suburb, postcode, lat, long).
SUBURBS = [("Melbourne", "3000", -37.8136, 144.9631), ("Carlton", "3053", -37.8001, 144.9671),
           ("Fitzroy", "3065", -37.7990, 144.9780), ("Collingwood", "3066", -37.8024, 144.9880),
           ("Richmond", "3121", -37.8230, 145.0010), ("South Yarra", "3141", -37.8380, 144.9920),
           ("St Kilda", "3182", -37.8676, 144.9801), ("Brunswick", "3056", -37.7670, 144.9610),
           ("Northcote", "3070", -37.7700, 145.0000), ("Preston", "3072", -37.7420, 145.0030),
           ("Coburg", "3058", -37.7440, 144.9650), ("Footscray", "3011", -37.8000, 144.9000),
           ("Williamstown", "3016", -37.8640, 144.8990), ("Essendon", "3040", -37.7490, 144.9120),
           ("Hawthorn", "3122", -37.8220, 145.0350), ("Kew", "3101", -37.8060, 145.0310),
           ("Camberwell", "3124", -37.8420, 145.0580), ("Box Hill", "3128", -37.8190, 145.1220),
           ("Doncaster", "3108", -37.7850, 145.1230), ("Ringwood", "3134", -37.8150, 145.2290),
           ("Mitcham", "3132", -37.8170, 145.1930), ("Croydon", "3136", -37.7950, 145.2810),
           ("Bayswater", "3153", -37.8410, 145.2680), ("Ferntree Gully", "3156", -37.8870, 145.2950),
           ("Glen Waverley", "3150", -37.8780, 145.1650), ("Mount Waverley", "3149", -37.8770, 145.1290),
           ("Clayton", "3168", -37.9150, 145.1290), ("Oakleigh", "3166", -37.9000, 145.0880),
           ("Caulfield", "3162", -37.8830, 145.0250), ("Brighton", "3186", -37.9050, 144.9990),
           ("Elwood", "3184", -37.8820, 144.9850), ("Moorabbin", "3189", -37.9370, 145.0580),
           ("Cheltenham", "3192", -37.9660, 145.0530), ("Mentone", "3194", -37.9820, 145.0650),
           ("Frankston", "3199", -38.1440, 145.1260), ("Dandenong", "3175", -37.9870, 145.2150),
           ("Berwick", "3806", -38.0330, 145.3470), ("Narre Warren", "3805", -38.0270, 145.3030),
           ("Lilydale", "3140", -37.7560, 145.3500), ("Eltham", "3095", -37.7130, 145.1470),
           ("Greensborough", "3088", -37.7040, 145.1030), ("Bundoora", "3083", -37.6980, 145.0590),
           ("Reservoir", "3073", -37.7170, 145.0070), ("Thornbury", "3071", -37.7560, 145.0060),
           ("Docklands", "3008", -37.8150, 144.9460), ("Port Melbourne", "3207", -37.8390, 144.9420),
           ("Albert Park", "3206", -37.8440, 144.9550), ("Prahran", "3181", -37.8510, 144.9930),
           ("Malvern", "3144", -37.8570, 145.0280), ("Ashburton", "3147", -37.8650, 145.0790),
           ("Balwyn", "3103", -37.8110, 145.0830), ("Templestowe", "3106", -37.7620, 145.1420),
           ("Heidelberg", "3084", -37.7550, 145.0680), ("Ivanhoe", "3079", -37.7690, 145.0450),
           ("Sunshine", "3020", -37.7880, 144.8330), ("Werribee", "3030", -37.9000, 144.6610),
           ("Point Cook", "3030", -37.9150, 144.7500), ("Craigieburn", "3064", -37.6000, 144.9430),
           ("Epping", "3076", -37.6500, 145.0330), ("Mornington", "3931", -38.2170, 145.0380)]
STREETS = ["High St", "Station St", "Church St", "Main Rd", "Victoria St", "Smith St", "Chapel St",
           "Burke Rd", "Glenferrie Rd", "Sydney Rd", "Lygon St", "Brunswick St", "Maroondah Hwy",
           "Canterbury Rd", "Whitehorse Rd", "Springvale Rd", "Warrigal Rd", "Nepean Hwy",
           "Bluff Rd", "Barkers Rd", "Riversdale Rd", "Toorak Rd", "Malvern Rd", "Dandenong Rd",
           "Blackburn Rd", "Ferntree Gully Rd", "Boronia Rd", "Bell St", "Plenty Rd", "Heidelberg Rd",
           "Hoddle St", "Johnston St", "Gertrude St", "Acland St", "Fitzroy St", "Barkly St",
           "Nicholson St", "Rathdowne St", "Albert St", "Grey St", "Elizabeth St", "Swanston St",
           "Collins St", "Bourke St", "Flinders Ln", "Queen St", "King St", "Spencer St"]

# Work descriptions by task type trade.
JOB_WORDS = {
    "plumbing": ["Replace hot water thermostat", "Clear blocked kitchen drain", "Repair leaking tap",
                 "Replace cistern inlet valve", "Install new mixer tap", "Jet blast sewer line",
                 "Replace PTR valve", "Install instantaneous hot water", "Repair burst pipe",
                 "CCTV drain inspection", "Gas leak check", "Install gas cooktop",
                 "Backflow prevention test", "Replace toilet suite", "Locate and repair leak"],
    "electrical": ["Upgrade switchboard", "Install LED downlights", "Add double power point",
                   "Replace smoke alarms", "Fault find tripping RCD", "Install ceiling fan",
                   "Test and tag", "Install outdoor lighting", "Replace light switch",
                   "Connect solar inverter", "Install exhaust fan", "Rewire kitchen circuit",
                   "Install EV charger", "Emergency lighting test", "Data point install"],
}
LABOUR_NOTES = ["Attended site, diagnosed fault", "Completed repair, tested OK", "Parts fitted",
                "Return visit to finish", "Isolated supply and made safe", "Tested and commissioned",
                "Cleaned up site", "Quoted additional works to client", "Met tenant on site",
                "Waited for access"]
EXPENSES = [("Parking", 600, 3500), ("Tolls - CityLink", 500, 1800), ("Tip fees", 2500, 12000),
            ("Equipment hire", 4500, 22000), ("Drain camera hire", 8000, 15000),
            ("Traffic management", 20000, 60000), ("Permit fee", 5000, 25000)]
NON_PRODUCTIVE = [("Travel", "Time"), ("Yard / Stock Run", "Time"), ("Training", "Time"),
                  ("Toolbox Meeting", "Time"), ("Sick Leave", "Time"), ("Annual Leave", "Time")]
NOTE_FILTERS = ["Internal Only", "Internal Only", "Show Client", "Internal Admin Only", "Show All"]
CLIENT_NOTES = ["Tenant prefers morning appointments", "Key in lockbox, code with office",
                "Dog on premises - call ahead", "Invoice to property manager, not tenant",
                "Client approved quote verbally", "Payment plan agreed",
                "Chased overdue invoice by phone", "Requested same tech as last visit",
                "Site induction required before work", "Gate code changed - check with client"]
DOC_CATEGORIES = ["Job Photos", "Compliance Certificates", "Quotes", "Invoices", "Site Plans",
                  "Safety", "Office Admin", "Marketing"]
DOC_NAMES = ["before.jpg", "after.jpg", "compliance_certificate.pdf", "switchboard.jpg",
             "hot_water_unit.jpg", "site_plan.pdf", "swms.pdf", "drain_camera.mp4", "meter.jpg",
             "signed_quote.pdf", "coc_gas.pdf", "electrical_safety_cert.pdf"]
MESSAGE_TEMPLATES = [("Job Booked SMS", "Text"), ("Running Late SMS", "Text"), ("On My Way SMS", "Text"),
                     ("Invoice Email", "HTML"), ("Quote Email", "HTML"), ("Payment Reminder", "HTML"),
                     ("Overdue Notice", "HTML"), ("Job Complete Email", "HTML"),
                     ("Purchase Order Email", "HTML"), ("Work Order Email", "HTML"),
                     ("Schedule Changed SMS", "Text"), ("Thank You Email", "HTML")]
MESSAGES = ["Toolbox meeting Friday 7am at the yard", "New van stock list - please check",
            "Christmas shutdown dates", "Reminder: timesheets due Monday 9am",
            "Safety alert: asbestos awareness", "Welcome our new apprentice",
            "Price increase from Reece from next month", "Uniform order closes Friday"]
PROJECT_TYPES = ["Commercial", "Residential", "Strata", "Maintenance Contract", "New Build"]
STAGES = ["Rough In", "Fit Off", "Commissioning", "Defects", "Design", "Demolition", "All Tasks"]
PAY_METHODS = ["Direct Debit", "EFT", "Credit Card", "Cheque", "Cash"]
WORKTYPES = [("NT", "Normal Time", "Normal", 1.0), ("OT", "Overtime x1.5", "Overtime", 1.5),
             ("DT", "Double Time", "Overtime", 2.0)]
CUSTOM_FIELDS = {  # zone -> [(name, type, options)]
    "tasks": [("Failure Reason", "Select", ["Wear and tear", "Corrosion", "Blockage", "Electrical fault",
                                             "Storm damage"]),
              ("Warranty Claim", "checkbox", None), ("Meter Reading", "numeric", None)],
    "clients": [("Ad Source", "Select", AD_SOURCES), ("Strata Plan No", "text", None)],
    "users": [("Licence Number", "text", None), ("Licence Expiry", "Datefield", None)],
    "suppliers": [("Trade Account No", "text", None), ("Subbie Rating", "numeric", None)],
    "locations": [("Site ID", "text", None), ("Access Notes", "textarea", None)],
    "assets": [("Warranty Date", "Datefield", None), ("Install Date", "Datefield", None)],
}
