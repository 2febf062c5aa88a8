"""Word lists for quote attribution: reporting verbs, pronouns, role nouns.

Verbs are matched on their inflected lower-case forms (generated here) so the
detector does not depend on the lemmatizer and stays a set lookup per token.
"""

from __future__ import annotations

# Reporting verbs that introduce speech anywhere in a clause.
_STRONG_VERBS = """
say tell explain write ask note argue insist warn tweet state claim declare
announce acknowledge admit assert contend maintain observe remark reply respond
answer recall report suggest stress emphasize emphasise predict promise vow
pledge quip joke shout yell scream chant cry exclaim whisper mutter murmur
complain lament concede confirm deny reiterate repeat comment counter retort
mention recount boast brag testify charge allege conclude caution advise urge
demand plead beg tout muse wonder agree disagree reason concur scoff sneer
snap fume gush interject interrupt summarize summarise clarify elaborate
underscore indicate inform assure reassure threaten speculate opine proclaim
pronounce propose recommend text email blog caption quote relate intone
thunder bellow roar sigh laugh groan grumble growl hiss gasp drawl bark
chuckle sing preach lecture rail rant protest object thank apologize apologise
apologise acknowledge affirm reaffirm attest concede remind stipulate
""".split()

# Verbs that report speech only when they sit right next to a quote
# ("...," he added / she continued: "...") because they are common otherwise.
_WEAK_VERBS = """
add continue go begin put offer read post conclude finish start write begin
explain describe call tell
""".split()

_IRREGULAR = {
    "say": ["said", "says", "saying", "say"],
    "tell": ["told", "tells", "telling", "tell"],
    "write": ["wrote", "written", "writes", "writing", "write"],
    "go": ["went", "goes", "going", "go"],
    "begin": ["began", "begun", "begins", "beginning", "begin"],
    "put": ["put", "puts", "putting"],
    "read": ["read", "reads", "reading"],
    "sing": ["sang", "sung", "sings", "singing", "sing"],
    "cry": ["cried", "cries", "crying", "cry"],
    "reply": ["replied", "replies", "replying", "reply"],
    "testify": ["testified", "testifies", "testifying", "testify"],
    "deny": ["denied", "denies", "denying", "deny"],
    "clarify": ["clarified", "clarifies", "clarifying", "clarify"],
    "rail": ["railed", "rails", "railing"],
    "bark": ["barked", "barks", "barking"],
    "snap": ["snapped", "snaps", "snapping", "snap"],
    "quip": ["quipped", "quips", "quipping", "quip"],
    "plead": ["pleaded", "pled", "pleads", "pleading", "plead"],
    "beg": ["begged", "begs", "begging", "beg"],
    "email": ["emailed", "e-mailed", "emails", "emailing"],
    "text": ["texted", "texts", "texting"],
    "post": ["posted", "posts", "posting"],
}


def _inflect(verb: str) -> list[str]:
    """Regular English inflections; good enough for the lexicon above."""
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("e"):
        return [verb, verb + "s", verb + "d", verb[:-1] + "ing"]
    if verb.endswith(("sh", "ch", "ss", "x")):
        return [verb, verb + "es", verb + "ed", verb + "ing"]
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return [verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"]
    return [verb, verb + "s", verb + "ed", verb + "ing"]


def _forms(verbs: list[str]) -> frozenset[str]:
    return frozenset(f for v in verbs for f in _inflect(v))


STRONG_FORMS: frozenset[str] = _forms(_STRONG_VERBS)
WEAK_FORMS: frozenset[str] = _forms(_WEAK_VERBS) - STRONG_FORMS
# "added", "continued", "wrote" after a quote are the classic trailing cues.
ALL_FORMS: frozenset[str] = STRONG_FORMS | WEAK_FORMS

PERSONAL_PRONOUNS = frozenset("he she they it we i you him her them us me who".split())
HE_SHE = frozenset("he she him her".split())

# Head nouns of descriptions that stand for an unnamed person or group.
PERSON_ROLES = frozenset(
    """
official officials source sources aide aides spokesman spokeswoman
spokesperson spokespeople person people man woman men women officer officers
diplomat diplomats staffer staffers insider insiders adviser advisers
advisor advisors member members lawmaker lawmakers analyst analysts expert
experts resident residents witness witnesses employee employees executive
executives negotiator negotiators operative operatives strategist strategists
observer observers supporter supporters voter voters someone somebody anyone anybody
everyone everybody nobody
individual individuals representative representatives worker workers
official's spokesmen spokeswomen leader leaders commander commanders
investigator investigators agent agents activist activists protester
protesters critic critics student students teacher teachers doctor doctors
lawyer lawyers attorney attorneys economist economists researcher researchers
scientist scientists aide's colleague colleagues friend friends neighbor
neighbors neighbour neighbours relative relatives participant participants
attendee attendees organizer organizers volunteer volunteers donor donors
consultant consultants counselor counsellor director reporter reporters
journalist journalists editor editors treasurer spokesperson manager chief head secretary
minister ministers senator senators congressman congresswoman legislator
legislators delegate delegates candidate candidates president governor mayor
judge prosecutor prosecutors soldier soldiers officer pilot nurse farmer
farmers owner owners resident customer customers user users fan fans
""".split()
)

# Agent-looking nouns that are things: "the report said", "the paper wrote".
NON_PERSON_NOUNS = frozenset(
    """
paper newspaper letter center centre order number computer poster flyer
folder tower quarter corridor sector monitor register charter manner matter
power water border filter trailer banner chapter cover mirror motor
government department statement document comment argument agreement
amendment announcement assessment development element environment
equipment establishment event government investment judgment movement
parliament payment requirement settlement treatment plant restaurant
tournament segment column section edition station organization organisation
administration commission committee council union coalition campaign
company firm agency ministry court board bank group party plan
""".split()
)

# Letters after a name that are not part of it: "Guy Mansfield QC",
# "Martin Luther King Jr" (lower case, without the dot).
POST_NOMINALS = frozenset(
    "qc kc mp mep msp ms am mla jr sr jnr snr ii iii iv obe cbe mbe kbe dbe phd md esq".split()
)

# Small words that may stay lower-case inside a title ("Face the Nation").
TITLE_SMALL_WORDS = frozenset(
    "a an the of and or but nor for to in on at by with from as vs via".split()
)

DEFINITE_DETERMINERS = frozenset("the this that these those".split())

# Common first names with a clear gender; only used to pick between "he"
# and "she" antecedents, never to name anyone.
FEMALE_NAMES = frozenset(
    """
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy
lisa betty margaret sandra ashley kimberly emily donna michelle dorothy carol
amanda melissa deborah stephanie rebecca sharon laura cynthia kathleen amy
shirley angela helen anna brenda pamela nicole emma samantha katherine
christine debra rachel catherine carolyn janet ruth maria heather diane
virginia julie joyce victoria olivia kelly christina lauren joan evelyn judith
megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn
sara janice jean alice madison doris abigail julia judy grace denise amber
marilyn beverly danielle theresa sophia marie diana brittany natalie isabella
charlotte rose alexis kayla hillary hilary michele nikki sonia sonya valerie
wendy yolanda tammy tina tanya vanessa veronica kristen kristin kirsten
katie kate kathy claire clare eleanor ellen elaine ella erin gwen hazel
holly irene iris jane janet jill joanna jodie josephine
karla leah lena lily lindsay lindsey liz lorraine lucy lydia mallory
marcia margot marsha melanie meredith miriam molly monica nadia
naomi nina nora paula penny priscilla rita robin rosa rosalind sally shannon
sheila stacey stacy susanna suzanne sylvia tara tracy ursula vera wanda
yvonne zoe nancy madeleine sheryl oprah beyonce serena chelsea
""".split()
)
MALE_NAMES = frozenset(
    """
james john robert michael william david richard joseph thomas charles
christopher daniel matthew anthony mark donald steven paul andrew joshua
kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary
nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose
adam nathan henry douglas zachary peter kyle ethan walter noah jeremy
christian keith roger terry gerald harold sean austin carl arthur lawrence
dylan jesse jordan bryan billy joe bruce gabriel logan albert willie alan
juan wayne elijah randy roy vincent ralph eugene russell bobby mason philip
louis barack bernie mike mitch chuck ted tim tom bill bob jim joe jeb marco
rand newt rudy chris dick al ben boris vladimir xi emmanuel angelo hugh ian
jeff jon josh kurt luis malcolm martin max mitt nigel oliver omar
pete rick rex rod ron rush sam seth steve stephen todd tony trey
victor vince wade warren wesley will winston
marc howard aaron colin craig curtis dale darren derek don
earl elliot eli felix fred glenn gordon grant guy hank harvey herbert hector
jared jimmy jorge kirk lee leon lewis lyndon mario mohammed muhammad nelson
""".split()
)

# Lemmas of verbs that report speech, thought or stance in news, read off the
# attributions-train split by tests/benchmarks/derive_reporting_verbs.py
# (gold cue in at least 30% of their occurrences, at least 5 times), plus a
# few rarer ones of the same family. "hop" is how the model lemmatises
# "hoped"; "retweete" its lemma of "retweeted".
REPORTING_LEMMAS = frozenset(
    """
accord accuse acknowledge acquiesce add admit advocate agree aim allege allude
anger announce answer apologize appear applaud approve argue articulate ask
assail assert assure attack attribute back balk believe bemoan blame blast
boast boo brag brush call caution challenge champion chant characterize charge
chide cite claim clarify comment complain concede conclude concur condemn
confirm congratulate consider contemplate contend contradict contrast convince
counter credit criticize decide declare decline decry deem defend demand
denounce deny deride describe detail devote disagree disavow disclose discuss
dismiss display dispute distance document doubt dub echo email emphasize
encourage endorse envision estimate expect explain express favor fear find
focus forecast forget frame guess hail highlight hint hop hope identify
imagine imply indicate inform insinuate insist intend interject interpret
invoke issue joke know label lambast lament lash lay learn like liken list
lobby mention mock muse name note notice observe offer opine oppose order
outline paint persuade pivot plead pledge point portray posit post praise
predict prefer present press proclaim project promise promote propose push
question quip quote rail reaffirm realize rebuke rebut recall recite reckon
recognize recommend recount refer reference refuse reiterate reject remark
remember remind renew repeat reply report request resist respond restrict
retweete reveal rip rule say scoff seek seem share shout show side signal
single slam sound spar speculate state stress sue suggest support suspect talk
tell testify thank think threaten title tout tweet underscore unveil urge view
voice vouch vow want warn wonder worry write yell
""".split()
)

# Verbs whose first object is the listener, not the content: "told reporters
# that ...", "asked him whether ...".
ADDRESSEE_LEMMAS = frozenset("tell inform ask remind assure notify brief warn".split())

# Verbs that report speech only with a clause ("..., she continued", "the
# sign read: ...") and are common otherwise ("prices continued to rise").
CLAUSE_ONLY_LEMMAS = frozenset("continue read".split())

# "X seems to ...", "X appears to ...": the subject belongs to the content.
RAISING_LEMMAS = frozenset("seem appear".split())
