"""Urgent words, English and Spanish, matched on stems; the lists are data."""

import pytest

from hearth.services.messages.urgent import is_crisis, topic_labels, urgent_topics
from hearth.services.messages.urgent_terms import URGENT_TOPICS


@pytest.mark.parametrize(("text", "topic"), [
    ("I have had chest pain since this morning", "chest_pain"),
    ("Tengo dolor en el pecho desde ayer", "chest_pain"),
    ("My son can't breathe well", "breathing"),
    ("I CAN\u2019T BREATHE", "breathing"),
    ("Mi madre no puede respirar", "breathing"),
    ("I think she is having a stroke", "stroke"),
    ("creo que es un derrame cerebral", "stroke"),
    ("There is heavy bleeding after the procedure", "bleeding"),
    ("Tengo un sangrado abundante", "bleeding"),
    ("He fainted twice today", "fainting"),
    ("Me desmayé en el trabajo", "fainting"),
    ("She had a seizure last night", "seizure"),
    ("Tuvo una convulsión", "seizure"),
    ("I have been thinking about suicide", "self_harm"),
    ("I feel suicidal", "self_harm"),
    ("thoughts of self-harm", "self_harm"),
    ("Tengo pensamientos suicidas", "self_harm"),
    ("quiero hacerme daño", "self_harm"),
    ("I think I took an overdose", "overdose"),
    ("Tomó una sobredosis", "overdose"),
])
def test_emergencies_are_found(text, topic):
    assert topic in urgent_topics(text)


@pytest.mark.parametrize("text", [
    "Can I get a refill of my blood pressure pills?",
    "Question about my bill",
    "The chest x-ray results, please",
    "Necesito una cita para la próxima semana",
    "",
])
def test_everyday_messages_are_not_urgent(text):
    assert urgent_topics(text) == []


def test_subject_and_body_are_both_read_but_a_phrase_does_not_span_them():
    assert urgent_topics("Chest", "pain") == []
    assert urgent_topics("Seizure", "my daughter") == ["seizure"]


def test_988_only_for_a_mental_health_crisis():
    assert is_crisis(["self_harm"]) and not is_crisis(["chest_pain"])


def test_every_topic_has_both_languages_and_a_label():
    for data in URGENT_TOPICS.values():
        assert set(data["phrases"]) >= {"en", "es"}
    assert [str(x) for x in topic_labels("chest_pain,unknown")] == ["Chest pain"]
