"""The acceptable use agreements every school starts with, written for this product. Schools edit and republish them."""

DEFAULT_AGREEMENTS = {
    "staff": {
        "title": "Staff and governor acceptable use agreement",
        "text": """This agreement sets out how staff and governors use the school's technology, data and online \
presence safely.

It covers every school device, account and system, wherever I use them, and my own devices and accounts \
whenever they touch school work.

School devices, systems and email
- I use school devices, accounts and email for school work; any personal use is brief and occasional.
- I use only my school email address and approved school platforms to communicate with pupils and parents.
- I do not install software, apps or browser extensions, or connect hardware, unless the IT lead has approved it.
- I never try to get around filtering or security settings, and I never use another person's account.

Passwords and data protection
- I keep my passwords private and strong, use multi-factor sign-in where offered and lock devices I leave.
- I handle personal data in line with UK GDPR, the Data Protection Act 2018 and school policy, and only take \
it off site in approved, encrypted ways.
- I report a lost device, misdirected email or other possible data breach to the data protection lead at once, \
as the school may have only 72 hours to report it.

AI tools
- I use only AI tools the school has approved, and I never enter pupils' or colleagues' personal data, \
safeguarding information or assessment records into them.

Images of pupils
- I take and store photos and video of pupils only on school devices and accounts, only where consent is held, \
and I check the list of pupils who must not be photographed.

Professional conduct online
- I have no contact with pupils on personal social media, messaging apps or gaming platforms, and I tell my \
line manager about any existing contact.
- I post nothing that could harm pupils, colleagues or the school's reputation.
- I keep my personal phone out of sight where pupils are present, unless the school has agreed otherwise.
- I never search for, store or share illegal, extremist or offensive material.

Reporting concerns
- I report any online safety or safeguarding concern, including about a colleague, to the designated \
safeguarding lead (DSL) without delay, and I do not investigate it myself.
- I report unsuitable content that gets through the filter.

Monitoring
- I understand that the school monitors its devices, network, email and accounts, and that breaking this \
agreement may lead to disciplinary action or, where the law is broken, police involvement.

By signing I agree to follow this agreement and to ask the DSL or a senior leader if anything is unclear.""",
    },
    "visitor": {
        "title": "Visitor, supply staff, student and guest acceptable use agreement",
        "text": """This agreement explains how visitors, supply staff, students on placement and guests use technology \
while they are in school, so that pupils are kept safe.

- I only use the guest or staff wifi I have been given access to, and I use it for the purpose of my visit.
- I do not try to get around the school's filtering or security, and I do not connect my own devices to school \
equipment unless a member of staff has agreed.
- I do not take photos, video or audio recordings of pupils on any device. If my role needs images, I use \
school equipment with the permission of a member of staff.
- I keep my personal phone and other devices switched to silent and put away when I am in areas where pupils \
are present.
- I do not share my contact details or social media accounts with pupils, and I do not contact them online.
- I keep any information I learn about pupils, families or staff confidential.
- I use any school device or account I am given only for my work here, and I keep its password private.
- If I see or hear anything that worries me about a pupil's safety, online or offline, I tell the designated \
safeguarding lead (DSL) straight away, before I leave the site.

By signing I agree to follow these rules for the whole of my time in school and understand that the school may \
end my visit if I do not.""",
    },
    "pupil_early": {
        "title": "My online safety rules (Early Years and Key Stage 1)",
        "text": """My rules for staying safe on computers and tablets.

☝ I ask a grown-up before I use a device.

✔ I only use games and websites my grown-up chooses.

☎ I tell a grown-up if something makes me worried or sad.

⚠ I keep my password and where I live a secret.

♥ I am kind online.

⌨ I look after the devices and tell a grown-up if one breaks.

These rules keep me safe.""",
    },
    "pupil_ks2": {
        "title": "Pupil acceptable use agreement (Key Stage 2)",
        "text": """These rules help me stay safe and kind online, at school and at home.

- I keep my passwords secret and only ever log in as myself.
- I am kind online and never send messages or pictures that could upset someone.
- I never share my full name, address, school, phone number or photos of me online.
- I know that apps, games and websites have age limits to keep children safe.
- I ask an adult before I download anything or install an app.
- I only use AI helpers when my teacher says I can, and I never tell them personal information.
- I never meet someone I only know online, and I tell a trusted adult if they ask to meet me.
- If something online worries or upsets me, or someone is unkind, I tell a trusted adult.
- I know the school can see what I do on school devices and accounts.
- If I break these rules, I may lose use of school devices and my parents or carers may be told.

I understand these rules and I agree to follow them.""",
    },
    "pupil_older": {
        "title": "Pupil acceptable use agreement (Key Stage 3 and above)",
        "text": """This agreement sets out how I use technology responsibly, in and out of school, so that everyone \
stays safe.

School systems and my own devices
- I use school devices, accounts and wifi for learning, and I keep my passwords private.
- I follow the school's rules on when and where my own phone or other devices may be used.
- I do not try to get around filtering or monitoring, including with VPNs, proxies or other people's accounts.
- I do not hack or damage any system, account or data; this can be a crime under the Computer Misuse Act 1990.

Social media and sharing images
- I think before I post, respect age limits and keep my accounts private.
- I never take, share or ask for nude or sexual images. It is illegal to make or share sexual images of anyone \
under 18, even of yourself and even with consent.
- If I am pressured to send an image, or one of me is shared, I tell a trusted adult. Report Remove can help \
get images of under-18s taken down.
- I do not take or share photos or video of other people without their permission.

Respect and cyberbullying
- I do not create, join in with or forward anything that bullies, threatens or humiliates anyone, including \
in group chats, and I report cyberbullying I see.

AI and academic honesty
- I use AI tools only as my teachers allow, say when I have used them, and never hand in AI-written work as \
my own.
- I do not put personal information into AI tools.

Staying safe
- I never meet someone I know only online without telling a trusted adult, and I tell a trusted adult or the \
designated safeguarding lead (DSL) if anything online worries me.

Monitoring and consequences
- The school monitors its devices, accounts and network, and may act on my behaviour online outside school if \
it affects others' safety.
- Breaking this agreement can lead to losing access to school systems, sanctions, my parents or carers being \
contacted and, where the law is broken, police involvement.

I have read this agreement and I agree to follow it.""",
    },
    "parent": {
        "title": "Parent and carer home–school online safety agreement",
        "text": """This agreement explains how the school and families work together to keep children safe online, at \
school and at home.

What the school does
- Teaches pupils how to use technology safely, kindly and responsibly, in ways that suit their age.
- Filters and monitors school devices, accounts and internet access, while recognising that no system can block \
everything.
- Tells you if we have a concern about your child's safety or behaviour online.
- Shares advice and updates to help you support your child at home.

What I agree to do
- Support the school's rules on technology and the pupil agreement my child has been asked to follow.
- Talk with my child regularly about what they do online, and help them to know who to tell if something \
worries them.
- Check age ratings and use parental controls and privacy settings on devices and apps at home.
- Model good online behaviour myself, including how I talk about the school, its staff and other families online.
- Not post photos or video of other children taken at school events on social media or elsewhere online.
- Raise any concerns about my child's safety online, or about the school's use of technology, with the school \
directly rather than on social media.

I confirm that I have read the pupil acceptable use agreement and discussed it with my child, and that they \
understand why the rules are there.

By signing I agree to support the school in keeping my child and other children safe online.""",
    },
    "social_media": {
        "title": "Official school social media accounts agreement",
        "text": """This agreement is for staff who run or post on the school's official social media accounts, so that \
every post protects pupils and reflects the school well.

- I only post on official accounts once a senior leader has approved me to do so, and I follow the school's \
social media guidance.
- I check the school's consent records before posting any photo or video that shows a pupil, and I leave out \
any pupil whose family has not agreed to social media use.
- I never publish a pupil's full name alongside their image, and I check that images do not show names, \
uniforms with names, locations or other identifying details.
- I make sure every official account has at least two administrators who are members of staff, so that no \
account relies on one person.
- I keep account passwords strong and private, use multi-factor sign-in, and tell the account lead at once if \
I think an account may have been compromised. Passwords are changed when an administrator leaves.
- I use only the official school accounts for school posts and never post, reply or message on the school's \
behalf from a personal account.
- I do not follow, message or befriend pupils from official accounts.
- I check comments and messages regularly, hide or remove anything inappropriate, and keep a record of what \
was removed and why.
- I report any safeguarding concern raised through social media to the designated safeguarding lead (DSL) and \
report abusive or harmful content to the platform.

By signing I agree to follow these rules whenever I manage or post on the school's official accounts.""",
    },
    "image_consent": {
        "title": "Photograph and video consent form",
        "text": """This form asks for your permission for the school to take and use photos and video of your child, \
and explains how we look after them.

Please answer yes or no to each of the following uses. You can agree to some and not others.

- Inside school: photos and video shown on classroom and corridor displays, in learning journals and in \
records of your child's work and progress.
- On the school website: photos and video of school life and activities on pages that anyone can view.
- On the school's official social media: photos and video shared on the school's own accounts to celebrate \
events and achievements.
- In the press: photos and video used by local newspapers and other media, for example when reporting a \
school event.

How we protect your child
- We never publish a pupil's name alongside their photo or video.
- Images are taken and stored on school devices and systems only.
- If you answer no to any use, we make sure your child is not included in images used in that way.

How long consent lasts
Your answers stay in place while your child attends the school, and we will ask you to check them each year. \
You can withdraw or change your consent at any time by telling the school office, and we will stop any new \
use straight away.

School events
Parents and carers may take photos or video of their own child at some school events. These are for personal \
use only and must not be posted on social media or online where other children can be seen.

By signing I confirm the choices I have made above and understand that I can change them at any time.""",
    },
}


# Which pupil agreements a school starts with, by its phase (the other agreements, for adults, every school
# has). A nursery's children read the early years agreement only, and a secondary's the older pupils' one and
# the KS2 one (a middle school deemed secondary teaches Years 5 and 6). A primary keeps all three, as a middle
# school deemed primary teaches Years 7 and 8; all-through, special and alternative provision take pupils of
# every age.
PUPIL_AGREEMENTS_BY_PHASE = {
    "nursery": ("pupil_early",),
    "primary": ("pupil_early", "pupil_ks2", "pupil_older"),
    "secondary": ("pupil_ks2", "pupil_older"),
    "all_through": ("pupil_early", "pupil_ks2", "pupil_older"),
    "special": ("pupil_early", "pupil_ks2", "pupil_older"),
    "alternative": ("pupil_early", "pupil_ks2", "pupil_older"),
}
PUPIL_AGREEMENTS = ("pupil_early", "pupil_ks2", "pupil_older")


def audiences_for(phase: str) -> list[str]:
    """The audiences whose default agreement a school of ``phase`` starts with, in the usual order."""
    pupils = PUPIL_AGREEMENTS_BY_PHASE.get(phase, PUPIL_AGREEMENTS)
    return [audience for audience in DEFAULT_AGREEMENTS if audience not in PUPIL_AGREEMENTS or audience in pupils]
