"""Fictional names for the demo schools. Any likeness to real people is coincidence."""

FIRST_NAMES = [
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Ivy", "Muhammad", "Freya", "Leo",
    "Lily", "Harry", "Florence", "Oscar", "Willow", "Archie", "Rosie", "Jack", "Sophia", "Theo", "Evie",
    "Henry", "Poppy", "Charlie", "Grace", "Finley", "Aisha", "Alfie", "Zara", "Jacob", "Maya", "Thomas",
    "Ella", "Isaac", "Hannah", "Reuben", "Chloe", "Ibrahim", "Ruby", "Samuel", "Amara", "Joshua", "Layla",
    "Kai", "Erin", "Yusuf", "Matilda", "Ethan", "Nia", "Logan", "Priya", "Max", "Olivia", "Rohan", "Eliza",
    "Daniel", "Maryam", "Teddy", "Hollie", "Adam", "Sienna", "Kacper", "Zofia", "Dylan", "Lucia", "Finn",
    "Imogen", "Tomasz", "Aaliyah", "Rory", "Harper", "Ewan", "Niamh", "Caleb", "Esme", "Jude", "Phoebe",
]

SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
    "Clarke", "Khan", "Hughes", "Edwards", "Turner", "Hill", "Ahmed", "Moore", "Cooper", "Ward", "Morris",
    "King", "Baker", "Harrison", "Morgan", "Patel-Reid", "Nowak", "Begum", "Okafor", "Mensah", "Kowalski",
    "Murphy", "Kelly", "Bennett", "Chapman", "Ellis", "Fraser", "Hussain", "Lloyd", "Mason", "Newman",
    "Owens", "Price", "Quinn", "Rahman", "Shaw", "Singh", "Stevens", "Wallace", "Young", "Ali", "Bailey",
    "Campbell", "Doyle", "Farrell", "Gill", "Hayes", "Iqbal", "Jenkins", "Kaur", "Lewis", "Marsh",
]

ADULT_FIRST_NAMES = [
    "Sarah", "James", "Emma", "David", "Rachel", "Michael", "Claire", "Paul", "Laura", "Mark", "Nadia",
    "Andrew", "Joanne", "Richard", "Hayley", "Imran", "Kirsty", "Stephen", "Fatima", "Gareth", "Natalie",
    "Chris", "Samina", "Lee", "Victoria", "Anil", "Gemma", "Marek", "Agnieszka", "Kwame", "Abena", "Sean",
    "Louise", "Tariq", "Helen", "Ben", "Rebecca", "Jonathan", "Amy", "Craig", "Leanne", "Neil", "Zainab",
]
