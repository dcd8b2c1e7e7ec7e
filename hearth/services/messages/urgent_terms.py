"""The urgent-word lists (data, not logic): emergency topics and the word stems that name them.

Each phrase is a run of word stems, matched against the folded words of a message (lower case, no
accents, apostrophes dropped: "can't" -> "cant"); a stem matches any word that begins with it, so
"suicid" finds "suicide", "suicidal" and "suicidio". Every language's list is checked whatever
language the writer uses (people mix). To add a language, add its key to each topic. Clinical
review of these lists belongs to the practice's medical director; they are a safety net, not triage.
"""

from __future__ import annotations

from hearth.i18n import _l

# topic -> {"label": shown to staff, "crisis": True when 988 (mental-health crisis line) applies,
#           "phrases": {language: ["stem stem", ...]}}
URGENT_TOPICS: dict[str, dict] = {
    "chest_pain": {
        "label": _l("Chest pain"),
        "phrases": {
            "en": ["chest pain", "chest pains", "pain in my chest", "chest hurt", "chest tight", "chest pressur",
                   "heart attack"],
            "es": ["dolor de pecho", "dolor en el pecho", "dolor del pecho", "me duele el pecho",
                   "presion en el pecho", "ataque al corazon", "infarto"],
        },
    },
    "breathing": {
        "label": _l("Trouble breathing"),
        "phrases": {
            "en": ["cant breath", "cannot breath", "can not breath", "unable to breath", "not breathing",
                   "trouble breath", "struggling to breath", "short of breath", "gasping"],
            "es": ["no puedo respirar", "no puede respirar", "no respira", "dificultad para respirar",
                   "falta de aire", "me ahogo", "se ahoga"],
        },
    },
    "stroke": {
        "label": _l("Signs of a stroke"),
        "phrases": {
            "en": ["stroke", "face droop", "drooping face", "slurred speech", "slurring", "arm weak",
                   "sudden numb"],
            "es": ["derrame cerebral", "accidente cerebrovascular", "ictus", "cara caida", "habla arrastrada",
                   "no puedo hablar bien", "debilidad en el brazo"],
        },
    },
    "bleeding": {
        "label": _l("Heavy bleeding"),
        "phrases": {
            "en": ["heavy bleed", "heavily bleed", "bleeding heav", "bleeding a lot", "wont stop bleed",
                   "cant stop bleed", "bleeding wont stop", "hemorrhag", "haemorrhag"],
            "es": ["sangrado abundante", "sangrado fuerte", "sangra mucho", "sangrando mucho",
                   "no para de sangrar", "no deja de sangrar", "hemorragi"],
        },
    },
    "fainting": {
        "label": _l("Fainting"),
        "phrases": {
            "en": ["faint", "passed out", "pass out", "passing out", "blacked out", "lost consciousness"],
            "es": ["desmay", "perdi el conocimiento", "perdio el conocimiento", "perdida de conocimiento"],
        },
    },
    "seizure": {
        "label": _l("Seizure"),
        "phrases": {
            "en": ["seizur", "convuls", "fitting"],
            "es": ["convulsi", "ataque epileptic", "crisis epileptic"],
        },
    },
    "self_harm": {
        "label": _l("Thoughts of suicide or self-harm"),
        "crisis": True,
        "phrases": {
            "en": ["suicid", "self harm", "selfharm", "harm myself", "hurt myself", "kill myself", "end my life",
                   "want to die", "cutting myself"],
            "es": ["suicid", "autolesi", "hacerme dano", "lastimarme", "matarme", "quitarme la vida",
                   "acabar con mi vida", "quiero morir"],
        },
    },
    "overdose": {
        "label": _l("Overdose"),
        "phrases": {
            "en": ["overdos", "over dose", "took too many pills", "too many pills"],
            "es": ["sobredosis", "demasiadas pastillas", "tome muchas pastillas"],
        },
    },
}
