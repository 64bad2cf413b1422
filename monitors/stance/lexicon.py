"""Built-in cue lexicons: the words a careful reader looks for.

Phrases are plain English; they are folded and stemmed when compiled (see ``monitors.stance.cues``),
so "denied", "denies" and "deny" are one cue. A claim's own ``confirm_cues`` and ``contradict_cues``
are added to these, never replacing them. A phrase written "=word" matches its first word only
as written ("=doctored": faked photos, not "doctors").
"""

from __future__ import annotations

# Language that says the claimed fact is false (refutation, debunking, denial).
REFUTING = (
    "deny", "denied", "denial", "false", "falsely", "fake", "hoax", "debunk", "debunked", "refute",
    "rebut", "reject", "dismiss", "untrue", "not true", "baseless", "unfounded", "myth", "bogus",
    "fabricated", "made up", "no evidence", "not the case", "never happened", "nonsense", "lie",
    "propaganda", "dispute", "contest", "contradict", "satire", "satirical", "spoof", "prank",
    "photoshopped", "=doctored", "not real", "nope", "misleading", "retract", "rumours are false",
    "no truth", "no basis", "scam", "urban legend", "erroneous", "wrongly",
    "mistakenly", "premature", "exaggerated", "doubt", "skeptical", "sceptical", "skepticism",
    "scepticism", "rubbish", "inaccurate", "not accurate", "misinformation", "disinformation",
    "rebuff", "put to rest", "set the record straight", "setting the record straight", "faked",
    "not so sure",
)  # fmt: skip

# Phrases that contain a cue but do not mean it: "no doubt" vouches rather than doubts. Every cue
# inside one of these (the "doubt", and the "no") is ignored.
NOT_REFUTING = (
    "no doubt", "no doubts", "without doubt", "without a doubt", "little doubt", "beyond doubt",
    "beyond any doubt", "beyond a doubt", "doubtless",
)  # fmt: skip

# Language that keeps the fact at arm's length: reported, not asserted.
HEDGING = (
    "reportedly", "allegedly", "alleged", "purportedly", "purported", "apparently", "rumor",
    "rumour", "rumored", "rumoured", "unconfirmed", "unverified", "may", "might", "could",
    "possibly", "possible", "perhaps", "likely", "said to", "believed to", "thought to",
    "appears to", "appear", "seem", "seemingly", "speculation", "speculate",
    "suggest", "if true", "investigate", "investigating", "probe", "whether", "unclear",
    "what we know", "questions", "mystery", "supposedly", "viral", "sources", "source",
    "unnamed",
    "circulating", "would", "=plan", "=plans", "=planned", "=planning", "expected",
    "considering", "mulls", "eyes",
)  # fmt: skip

# Phrases with a hedge inside that do not hedge: "seen with her own eyes" vouches.
NOT_HEDGING = ("own eyes", "my eyes", "his eyes", "her eyes", "their eyes", "our eyes")

# Language that vouches for the fact.
CONFIRMING = (
    "confirm", "confirmed", "officially", "verified", "prove", "proof", "revealed", "indeed",
    "it's official", "announced", "admits", "acknowledged", "identified", "is true", "true story",
    "turns out", "finally", "now", "footage shows", "video shows", "photos show", "liberated",
)  # fmt: skip

# Verbs and phrases that introduce what someone says: they attribute, they do not assert.
REPORTING = (
    "say", "says", "said", "claim", "claims", "claimed", "=stated", "declare", "declared",
    "assert", "asserted", "announce", "announced", "report", "reported", "tell", "told", "insist",
    "retort", "add", "added", "according to", "accuse", "describe", "note", "argue",
    "maintain", "insisted", "write", "wrote", "tweet", "tweeted", "allege", "suggest", "call",
    "called",
)  # fmt: skip

# Forecasts and plans: a headline about what someone expects, not what happened. Read only by
# the learned step's framing features; the rules do not treat these as hedges.
FORECASTING = (
    "predict", "predicts", "predicted", "prediction", "forecast", "estimate", "analyst", "analysts",
    "in talks", "set to", "plans to", "planning", "poised to", "on track", "projected", "expects",
)  # fmt: skip

# Verbs that introduce a contrary statement by their subject ("Ukraine denies ...").
DENYING_VERBS = ("deny", "denied", "dispute", "reject", "dismiss", "refute", "rebut", "contest")

# Words that flip what follows them within their clause.
NEGATIONS = (
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "fail to",
    "failed to", "yet to", "no longer", "cannot", "hardly", "nowhere",
)  # fmt: skip

# A competing fact: the opposite state of affairs still holds ("still holding positions").
COMPETING = (
    "still holding", "still hold", "still held", "still active", "still control", "still fighting",
    "continue to hold", "remain under", "remains under", "operations continue", "still alive",
    "alive and well", "is alive", "still in",
)  # fmt: skip

# Words that start a yes/no or wh- question.
QUESTION_OPENERS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "did",
        "do",
        "does",
        "will",
        "would",
        "can",
        "could",
        "should",
        "who",
        "what",
        "why",
        "how",
        "when",
        "where",
        "which",
    ]
)

# Titles skipped when naming who says something ("General Valery Gerasimov" -> "Valery Gerasimov").
TITLES = frozenset(
    [
        "general",
        "gen",
        "president",
        "pres",
        "minister",
        "prime",
        "secretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "officials",
        "official",
        "chief",
        "commander",
        "mr",
        "mrs",
        "ms",
        "dr",
        "the",
        "a",
        "an",
        "army",
        "military",
    ]
)

# Russian and Ukrainian cues. They are folded like everything else (Cyrillic -> Latin), and a
# word ending in "*" matches any ending ("освобожд*" meets освобождена, освобождено,
# освобождён...), so case and gender endings do not defeat them. A cue written in Cyrillic is read
# only in a sentence that has Cyrillic in it: short words like "не" or "ли" fold to Latin strings
# that English text may contain.

# The claimed kind of fact stated outright: taken, liberated, back under control. Like the claimed
# predicate, these can be negated ("не освободили").
ASSERTING = (
    "освобожд*", "освободил*", "полностью освобожд*", "полностью освободил*", "звільнен*",
    "звільнил*", "звільнив", "повністю звільнен*", "повністю звільнил*", "взял* под контрол*",
    "взят* под контрол*", "взял* під контрол*", "взят* під контрол*", "отбил*", "відбил*",
    "занял*", "зайнял*", "вернул* контрол*", "повернул* контрол*", "восстановил* контрол*",
    "відновил* контрол*", "зачищен*", "зачистил*", "перешл* под контрол*", "перешл* під контрол*",
)  # fmt: skip

# "Отбили"/"заняли" also mean "repelled (an attack)"/"took (a place in a ranking)". Followed by
# these objects, the asserting verb is not read as an assertion: "ВСУ отбили атаку у Горналя"
# says an attack near Gornal failed, not that Gornal was taken.
NOT_ASSERTING = (
    "отбил* атак*", "відбил* атак*", "отбил* штурм*", "відбил* штурм*", "отбил* наступлен*",
    "відбил* наступ*", "отбил* попытк*", "відбил* спроб*", "отбил* натиск*", "відбил* натиск*",
    "занял* мест*", "зайнял* місц*", "занял* позици* в рейтинг*", "атак* отбил*", "атак* відбил*",
    "штурм* отбил*", "штурм* відбил*",
)  # fmt: skip

REFUTING_CYRILLIC = (
    "опроверж*", "спростуван*", "фейк*", "ложь", "ложн*", "брехн*", "неправд*", "пропаганд*",
    "дезинформац*", "дезінформац*", "не соответству* действительност*",
    "не відповіда* дійсност*", "вымысел", "вигадк*", "выдумк*",
)  # fmt: skip

DENYING_VERBS_CYRILLIC = ("опроверг*", "спростув*", "спростову*", "отрица*", "запереч*")

COMPETING_CYRILLIC = (
    "продолжа* удержива*", "удержива* позиц*", "продовжу* утриму*", "утриму* позиц*",
    "бои продолжа*", "бои ид*", "бої трива*", "бої продовжу*", "боевые действия продолжа*",
    "бойові дії трива*", "остает* под контрол*", "остаёт* под контрол*", "остаю* под контрол*",
    "залиша* під контрол*",
)  # fmt: skip

HEDGING_CYRILLIC = (
    "якобы", "нібито", "неподтвержд*", "непідтвердж*", "возможно", "можливо", "вероятно",
    "ймовірно", "імовірно", "сообщается", "сообщают", "повідомляється", "повідомляють",
    "предположительно", "слух*", "чутк*", "вряд ли", "едва ли", "источник*", "джерел*",
)  # fmt: skip

CONFIRMING_CYRILLIC = ("подтвердил*", "підтвердил*", "підтвердив", "официально", "офіційно")

# Phrases after which the speaker is named ("according to the ministry").
ACCORDING_TO = (
    "according to", "по словам", "за словами", "по данным", "за даними", "по информации",
    "за інформацією",
)  # fmt: skip

REPORTING_CYRILLIC = (
    "заявил*", "заявив", "заявля*", "сообщил*", "сообщает", "повідомил*", "повідомив",
    "повідомляє", "сказал*", "сказав", "говорит*", "утвержда*", "стверджу*", "объявил*",
    "оголосил*", "оголосив", *ACCORDING_TO[1:],
)  # fmt: skip

NEGATIONS_CYRILLIC = ("не", "ни", "ні", "нет", "немає", "никогда", "ніколи")

# Question particles: Russian "ли" anywhere ("Освобождена ли ..."), Ukrainian "чи" first.
QUESTION_PARTICLES = ("ли",)
QUESTION_OPENERS_CYRILLIC = ("чи",)

# Cyrillic titles and offices, skipped when naming a side ("Генштаб ЗСУ" -> "ЗСУ"). Each is a
# prefix, so "Генштабе" and "Генштаба" are skipped too.
TITLES_CYRILLIC = (
    "минобороны", "міноборони", "министерств", "міністерств", "генштаб", "штаб", "командовани",
    "командуванн", "президент", "глава", "пресс-секретар", "речник", "представител", "представник",
    "официальн", "офіційн", "армия", "армии", "армія", "армії",
)  # fmt: skip

# Cyrillic spellings of a side, folded and cut like ``stance_sentence.side_of`` keys, mapped to the
# English key: "России" and "Russia" are one side, so are "ЗСУ", "ВСУ" and "Ukraine".
SIDE_KEYS = {
    "rossi": "russi", "rosiy": "russi", "rf": "russi", "moskv": "mosco", "ukray": "ukrai",
    "vsu": "ukrai", "zsu": "ukrai", "kiyiv": "kyiv",
}  # fmt: skip

# --- Claim frames (monitors.stance.frame) ---------------------------------------------------
# What happens to a place, a ship or a unit, by kind of event. A claim's statement is read with
# these to find its event and actor ("Russian forces captured Gornal": control taken, by Russia);
# a sentence about the claim's subject is read with the same words, so "Ukrainian troops still
# hold Gornal" is a competing fact (control held, by Ukraine) and "Russian troops are trying to
# storm Gornal" an ongoing fight (contest), whatever exact verbs the claim used.

# The actor took the place. Said without an actor ("Gornal has fallen"), the change is read as
# the one the claim describes.
TAKE_CONTROL = (
    "capture", "captured", "recapture", "recaptured", "seize", "seized", "seizure", "take",
    "took", "taken", "taking",
    "retake", "retook", "retaken", "overrun", "overran", "liberate", "liberated", "liberation",
    "regain", "regained", "reclaim", "reclaimed", "take control", "took control",
    "gain control", "gained control", "establish control", "established control",
    "full control", "entered", "cleared", "fall", "fell", "fallen",
    "освобожд*", "освободил*", "звільнен*", "звільнил*", "звільнив", "захвач*", "захватил*",
    "захопил*", "захоплен*", "взял*", "взят*", "пал", "пала", "пало", "пали", "впал*",
    "отбил*", "відбил*",  # with the place as object: "отбили Горналь" (an attack: contest)
)  # fmt: skip

# The actor is in control now. Without a named side these say nothing about who.
HOLD_CONTROL = (
    "in control", "under control", "control", "controls", "controlled", "hold", "holds", "held",
    "keep", "kept", "remain in", "remains in", "remained in", "holed up", "garrison", "flag",
    "flags", "strengthen positions", "strengthening positions", "remain at", "remains at",
    "=stationed", "presence", "deployed in", "deployed at", "based at", "in hands",
    "reinforce", "reinforced", "reinforcing", "dig in", "fortify", "fortified",
    "контрол*", "удержива*", "утриму*", "гарнизон*", "гарнізон*", "флаг*", "прапор*",
)  # fmt: skip

# Occupation is Russia's in this war's reporting, whoever reports it.
OCCUPY = (
    "occupy", "occupied", "occupation", "оккупир*", "окупова*", "окупац*", "оккупац*",
)  # fmt: skip

# Before a state of control, these say it is over: "the village earlier occupied by Russian
# forces", "which used to be held by".
FORMERLY = ("previously", "formerly", "earlier", "once", "used to be", "had been", "until recently")

# The actor ends up out of the place: it left, was driven out, or gave up.
LOSE_CONTROL = (
    "withdraw", "withdrew", "withdrawn", "withdrawal", "retreat", "retreated", "retreating",
    "pull out", "pulled out", "pullout", "pull back", "pulled back", "abandon", "abandoned",
    "flee", "fled", "surrender", "surrendered", "lay down arms", "laid down arms", "driven out",
    "pushed out", "expelled", "kicked out", "ousted", "lost control", "lose control",
    "capitulate", "capitulated", "leave", "leaves", "leaving", "left",
    "отступ*", "отошл*", "отвел*", "вывел*", "вывод*", "відступ*", "відійшл*", "вивел*",
    "виведен*", "сдал*", "сдач*", "здал*", "здач*", "капитул*", "капітул*",
)  # fmt: skip

# Leaving is a loss of control only for armed forces: "troops leave Chernobyl", but "40% of
# residents left the city" and "a convoy left Melitopol" say nothing about who holds it.
MOVING_AWAY = ("leave", "leaves", "leaving", "left", "flee", "fled")
# "Bodies pulled out from under the rubble": pulled out, with no force as who, is no withdrawal.
PULLING_OUT = ("pull out", "pulled out")
ARMED_FORCES = (
    "troops", "forces", "army", "units", "soldiers", "military", "garrison", "servicemen",
    "fighters", "militants", "battalion", "battalions", "brigade", "regiment", "marines",
    "paratroopers", "positions", "позиц*", "войск*", "військ*", "арми*", "армі*", "солдат*",
    "подразделен*", "підрозділ*", "гарнизон*", "гарнізон*", "боевик*", "бойовик*",
)  # fmt: skip

# Just before the place: control of some of it, not all ("70% of Siverodonetsk", "part of").
PARTIAL = (
    "part of", "parts of", "percent of", "per cent of", "most of", "half of", "outskirts of",
    "districts of", "partially", "partly", "частин*", "часть", "окраин*", "околиц*",
)  # fmt: skip

# Repelling said with a phrasal verb, as English often does ("pushed back the enemy", "fought off
# attacks"): fight words whose actor holds the place, and repelled attacks.
REPELLING_PHRASES = (
    "push back", "pushed back", "pushing back", "pushes back", "beat back", "beaten back",
    "beat off", "beating off", "fought off", "fight off", "fighting off", "fend off",
    "fended off", "fending off", "drove back", "drive back", "driving back", "driven back",
    "held off", "hold off", "holding off", "stop attack", "stopped attack", "stops attack",
    "stopping attack", "halt attack", "halted attack", "stopped advance", "halted advance",
    "stopped offensive", "halted offensive",
)  # fmt: skip

# Control is being fought over: it has not changed (yet).
CONTEST_CONTROL = (
    "fight", "fighting", "fights", "battle", "battles", "battling", "storm", "storming",
    "stormed", "assault", "assaults", "offensive", "counteroffensive", "counter-offensive",
    "repel", "repelled", "repelling", "repulse", "repulsed", "besiege", "besieged", "siege",
    "clashes", "break into", "break through", "encircle", "encircled", "encirclement",
    "surround", "surrounded", "defend", "defending", "defended", "defence", "defense",
    "defenders hold", "hold out", "holding out", "resist", "resisting", "continue to fight",
    "approach", "approaching", "advance toward", "advancing toward", "advance on",
    "advancing on", "moving toward", "counterattack", "counterattacks", "continue to attack",
    "continues to attack", "continued to attack", "hostilities", "firefight", "firefights",
    "бои", "бой", "бої", "бою", "штурм*", "окружен*", "оточен*", "окружил*", "оточил*", "осад*",
    "отбил* атак*", "відбил* атак*", "отбил* штурм*", "відбил* штурм*", "отбил* наступ*",
    "відбил* наступ*", "атак* отбил*", "атак* відбил*", "штурм* отбил*", "штурм* відбил*",
    "отража*", "відбива*", "оборон*",
) + REPELLING_PHRASES  # fmt: skip

# An attack that failed: near a place, its defenders held the line in front of it.
REPELLING = ("repel", "repelled", "repelling", "repulse", "repulsed", "отбил", "відбил", "отража",
             "відбива") + REPELLING_PHRASES  # fmt: skip

# Fight words whose actor is the side holding the place ("Ukraine repelled", "defending").
DEFENDING = (
    "repel", "repelled", "repelling", "repulse", "repulsed", "defend", "defending", "defended",
    "defence", "defense", "resist", "resisting", "hold out", "holding out", "defenders hold",
    "отбил", "відбил", "отража", "відбива", "оборон",
) + REPELLING_PHRASES  # fmt: skip

# Trying is a fight only for what is tried: "trying to break into the plant" (a fight for it),
# "unable to capture" (not taken), but "a family trying to get out of Chernihiv" says nothing.
ATTEMPT = (
    "trying to", "tries to", "tried to", "try to", "attempt", "attempts", "attempting",
    "attempted", "unable to", "failed to", "fail to", "fails to", "not able to", "could not",
    "did not manage to", "пытают*", "пытал*",
    "намагают*", "намагал*",
)  # fmt: skip

# What an attempt tries that makes it a fight for a place: moving in on it or forcing it.
ATTEMPTED_MOVES = (
    "enter", "get to", "get into", "reach", "block", "blockade", "gain a foothold",
    "gain foothold", "attack", "advance", "drive", "push", "oust", "cut off", "break", "bypass",
    "improve", "resume", "regain", "retake", "recapture", "reclaim", "restore",
    "прорва*", "прорив*", "войти", "зайти", "увійти", "зайняти", "заблокир*", "заблоку*",
    "закрепи*", "закріпи*", "наступ*", "атакова*", "вибити", "выбить", "оточити", "окружить",
)  # fmt: skip

# A vessel or a structure put out of action.
SINK_OR_DESTROY = (
    "sink", "sank", "sunk", "sinking", "went down", "destroy", "destroyed", "destroying",
    "destruction", "blown up", "blew up", "collapse", "collapsed", "wreck", "wrecked",
    "потопил*", "затонул*", "потоплен*", "уничтож*", "знищ*", "зруйн*", "разруш*",
)  # fmt: skip

# Harm done to something by a side: read only against claims of who struck or destroyed what
# ("Ukrainian forces shelled the plant"), where the side that did it is the claim's point.
STRIKE = (
    "strike", "strikes", "struck", "striking", "airstrike", "airstrikes", "air strike",
    "shell", "shelled", "shelling", "shellings", "bomb", "bombed", "bombing", "bombings",
    "bombard", "bombarded", "bombardment", "hit", "hits", "attack", "attacked", "attacks",
    "fired", "firing", "targeted", "targeting", "kill", "kills", "killed", "killing", "murder",
    "murdered", "murders", "executed", "execution", "massacre", "terrorist attack",
    "terror attack", "act of terror", "provocation", "provocations", "staged",
    "open fire", "opened fire", "opens fire", "opening fire", "under fire", "came under fire",
    "comes under fire", "come under fire", "sabotage", "sabotaged",
    "sabotaging",
    "claims responsibility", "claimed responsibility", "claim responsibility",
    "takes responsibility", "took responsibility", "claims credit", "claimed credit",
    "обстрел*", "обстріл*", "удар*", "бомб*", "провокац*", "убил*", "вбил*",
)  # fmt: skip

# The harms among STRIKE that are done to people: they bear on a strike on a place only where
# they happened at it ("killed in Olenivka", not "killed a worker of the plant").
KILLING = ("kill", "kills", "killed", "killing", "murder", "murdered", "murders", "executed",
           "execution", "massacre")  # fmt: skip

# Between a side and the harm it does: what it did it with or how ("Russian missile strike",
# "Russia's terrorist attack", "Ukrainian helicopters struck", "Russia deliberately killed").
HARM_MEANS = (
    "missile", "missiles", "rocket", "rockets", "air", "artillery", "terrorist", "terror",
    "drone", "drones", "helicopter", "helicopters", "aircraft", "jets", "himars", "tochka",
    "tochka-u", "mlrs", "deliberate", "deliberately", "cynical", "cynically", "brutal",
    "massive", "new", "latest", "another", "again", "also", "once", "have", "has", "had",
    "continue", "continues", "continued", "keep", "keeps", "today", "yesterday", "overnight",
    "reportedly", "armed", "group", "members", "mercenaries", "ship", "ships", "warship",
    "warships", "vessel", "vessels", "navy", "fleet", "submarine", "submarines", "boat", "boats",
    "frigate", "cruiser", "plane", "planes", "bombers", "fighter", "fighters", "launchers",
    "special",
)  # fmt: skip

# A side and its harm with the act of doing it between: "Russian troops launched a missile
# strike on X", "the army carried out an air strike".
HARM_LAUNCH = (
    "launch", "launched", "launches", "launching", "carry", "carried", "carries", "carrying",
    "out", "conduct", "conducted", "conducts", "conducting", "deliver", "delivered", "delivers",
    "make", "made", "makes", "a", "an", "the", "series", "of",
)  # fmt: skip

# "Russia accuses Ukraine of shelling the plant": the side accused is who the speaker says did it.
ACCUSE = ("accuse", "accuses", "accused", "accusing", "blame", "blames", "blamed", "blaming")

# Right before an event word, these make it an intention or a possibility, not a fact:
# "plans to take", "could fall", "is about to be encircled".
INTENT = (
    "plan to", "plans to", "planning to", "want to", "wants to", "intend to", "intends to",
    "prepare to", "prepares to", "preparing to", "threaten to", "threatens to", "bid to",
    "could", "may", "might", "would", "will", "about to", "set to", "poised to", "if",
    "unless", "order to", "ordered to", "orders to", "command to", "task to", "hope to",
    "hopes to", "seek to", "seeks to", "aim to", "aims to", "preparing for", "prepares for",
    "prepare for", "preparing an", "prepares an", "regrouping for", "regroups for",
    "getting ready for", "gets ready for", "ready for", "conditions for", "focus on",
    "focuses on", "focused on", "focusing on", "focus is on", "aimed at", "aiming at",
    "goal of", "effort to", "efforts to", "effort on", "efforts on", "bid for", "must",
    "should", "need to", "needs to", "seek", "seeks", "seeking", "sought", "sent to",
    "refuse to", "refuses to", "refused to", "refusing to", "until",
)  # fmt: skip

# Verbs that keep a side from an event: "prevented the invaders from taking control of".
PREVENTING = ("prevent", "prevents", "prevented", "preventing", "stop", "stops", "stopped",
              "stopping", "keep", "keeps", "kept")  # fmt: skip

# Words that name a side. The occupier words name Russia's forces in Ukrainian reporting.
RUSSIAN_SIDE = (
    "russia", "russian", "russians", "rf", "kremlin", "moscow", "putin", "occupier", "occupiers",
    "occupant", "occupants", "invader", "invaders", "invading", "enemy", "orcs", "rashist",
    "rashists", "ruscist", "ruscists", "wagner", "kadyrov", "chechen", "dpr", "lpr", "separatist",
    "separatists", "pro-russian", "pro-moscow", "росси*", "российск*", "русск*", "россиян*",
    "росія*", "росії", "російськ*", "рф", "оккупант*", "окупант*", "ворог*", "враг*",
    "противник*", "кремл*", "днр", "лнр",
)  # fmt: skip
UKRAINIAN_SIDE = (
    "ukraine", "ukrainian", "ukrainians", "kyiv", "kiev", "zsu", "afu", "zelensky", "zelenskyy",
    "defender", "defenders", "defense forces", "defence forces", "azov", "pro-ukrainian",
    "україн*", "украин*", "зсу", "всу",
    "киев*", "київ*", "защитник*", "захисник*", "зеленск*", "зеленськ*",
)  # fmt: skip

# Side words that name people under arms on their own ("the occupiers in Melitopol"); other side
# words ("Russian") need a force after them ("Russian troops").
SIDE_PERSONS = (
    "occupier", "occupiers", "occupant", "occupants", "invader", "invaders", "enemy",
    "orcs", "rashist", "rashists", "ruscist", "ruscists", "separatists", "defender",
    "defenders", "оккупант*", "окупант*", "ворог*", "враг*", "противник*", "защитник*",
    "захисник*",
)  # fmt: skip

# Between a force and the place it is in: "occupiers in the temporarily occupied city of X".
PLACE_WORDS = (
    "the", "city", "town", "village", "settlement", "plant", "territory", "of", "temporarily",
    "occupied", "captured", "seized", "port", "centre", "center", "downtown", "station",
    "district", "region", "oblast", "capital",
)  # fmt: skip

# Words that make a claim, or a sentence, about all of a place.
WHOLE = (
    "full", "fully", "whole", "entire", "entirely", "complete", "completely", "all",
)  # fmt: skip

# Head words of a region: such a place is often named by its occupied or liberated parts.
REGION_WORDS = ("region", "regions", "oblast", "oblasts", "province", "область", "области",
                "області", "областей")  # fmt: skip

# Parts a place is described by ("occupied territories of the region").
PART_NOUNS = (
    "territory", "territories", "settlement", "settlements", "area", "areas", "town", "towns",
    "village", "villages", "part", "parts", "district", "districts", "community",
    "communities", "land", "lands", "city", "cities",
)  # fmt: skip

# The occupier was driven out: whoever says it, Ukraine controls the place now.
DEOCCUPY = (
    "deoccupied", "deoccupation", "deoccupy", "деоккупир*", "деокупова*", "деокупац*",
    "деоккупац*",
)  # fmt: skip

# Right before the subject these move the sentence to its surroundings: "fighting near Izium",
# "the offensive in the area of Izium", "на Изюмском направлении". Events there are not the
# subject's own.
VICINITY = (
    "near", "nearby", "around", "area", "areas", "direction", "axis", "outside", "toward",
    "towards",
    "vicinity", "west of", "east of", "north of", "south of", "border of", "borders of",
    "border with",
    "под", "під", "біля", "возле", "около", "район*", "направлен*", "напрям*", "окраин*",
    "околиц*", "пригород*", "передмі*",
)  # fmt: skip

# Words that name who liberates only with an actor: Russian and Ukrainian reporting both say
# "liberated", for opposite changes.
LIBERATE = ("liberate", "liberated", "liberation", "liberating", "liberator", "liberators")
# After the subject: "the Izium direction", "the Izium area", "на Изюмском направлении".
VICINITY_AFTER = (
    "direction", "axis", "front", "sector", "area", "areas", "outskirts", "направлен*", "напрям*",
)  # fmt: skip

# After the subject these name a larger area around it: "Chuhuiv in the Kharkiv region" is not
# about Kharkiv. Claims about the region say so in an alias ("Kursk region").
AREA_AFTER = (
    "region", "oblast", "province", "district", "raion", "область", "области", "регион*",
    "район*",
)  # fmt: skip

# The plural of those, shared by a list of names: "in the Sumy, Kharkiv and Kherson regions".
AREAS_PLURAL = ("regions", "oblasts", "provinces", "districts", "областей", "областях",
                "областям", "районов", "районах", "районів")  # fmt: skip

# A reversal: said without an actor, it runs against the claim's change as often as with it.
REVERSAL = (
    "recapture", "recaptured", "retake", "retook", "retaken", "regain", "regained", "reclaim",
    "reclaimed",
)  # fmt: skip

# Names in which a fight word is no fight: "the Ministry of Defence", "air defence".
INSTITUTIONS = (
    "defense ministry", "defence ministry", "ministry of defense", "ministry of defence",
    "defense forces", "defence forces", "defense minister", "defence minister",
    "defense intelligence", "defence intelligence", "air defense", "air defence",
    "territorial defense", "territorial defence", "defense council", "defence council",
    "defense plant", "defence plant", "defense industry", "defence industry",
    "defense official", "defence official", "defense officials", "defence officials",
    "defense system", "defence system", "defense systems", "defence systems",
    "defense secretary", "defence secretary",
    "defense company", "defence company", "defense budget", "defence budget",
    "минобороны", "міноборони", "сил оборон*", "сили оборон*", "ппо", "теробороны", "тероборон*",
)  # fmt: skip

# Before or after a fight these say it is over: "ends mission to defend", "the siege is over".
ENDED_BEFORE = (
    "end",
    "ends",
    "ended",
    "end to",
    "after",
    "following",
    "завершил*",
    "после",
    "після",
)
ENDED_AFTER = ("is over", "was over", "ended", "ends", "has ended", "закончил*", "завершен*")

# A demand that a side leave presupposes it is there: "calls on Russia to withdraw from the plant".
DEMAND = (
    "call on", "calls on", "called on", "calling on", "urge", "urges", "urged", "urging",
    "demand", "demands", "demanded", "demanding", "ask", "asks", "asked", "вимага*", "требу*",
    "призыва*", "призва*", "закликал*", "закликає", "закликают*",
)  # fmt: skip

# "Held" of people: custody, not control ("defenders held in satisfactory conditions").
DETENTION_AFTER = ("in captivity", "captive", "in custody", "prisoner", "prisoners", "hostage",
                   "in conditions", "in satisfactory", "in camps", "in prison")  # fmt: skip

# Auxiliaries that put a fight in the past, as history: "fierce fighting was going on",
# "a helicopter which had been storming the airfield".
PAST_PROGRESSIVE = ("was", "were", "had")
