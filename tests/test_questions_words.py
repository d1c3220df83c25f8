"""The questions to NHN in words: their sentences live in ``analysis/templates/questions.md.j2``
(issue 18.2). The shipped rounds ask no move and no «Hva er årsaken?»/«Hva er resten?»
question, so those sentences are pinned here, word for word as they read before the move."""

from __future__ import annotations

from types import SimpleNamespace as Thing

from tbu_analysis.analysis import questions


def test_a_move_within_a_solution_is_asked_in_the_templates_words():
    move = Thing(
        unexplained=19.0, amount=21.0, solution="Helsenettet", category="flytting",
        from_year=2025, to_year=2026, into=[("Plattform", 21.0)],
        out_of=[("Drift", -19.0), ("Annet", -2.0)],
        explained=[Thing(reason="Flyttet til drift", item="Drift", signed_range=(-2.0, -2.0))],
        traced=[Thing(amount=2.0, from_item="Annet", item="Plattform")])
    ask = questions.move_ask(move)
    assert ask.question == "Hva er de 19 mill. kronene som flyttes innen Helsenettet?"
    assert ask.text == (
        "Helsenettet, flytting 2025–2026: Plattform +21 mot Drift −19, Annet −2. Det er 21 "
        "mill. kroner flyttet mellom postene, ikke ny vekst (netto 0 mill. kroner). Kilden "
        "forklarer 2 mill. kroner: Flyttet til drift (Drift, −2 mill. kroner); tabellene viser "
        "2 mill. kroner fra «Annet» til «Plattform». For 19 mill. kroner sier kilden ikke hva "
        "som er flyttet, eller hvorfor.")
    assert (ask.kind, ask.stake) == (questions.MOVE, 19.0)
    small = Thing(**{**vars(move), "unexplained": 4.0})
    assert questions.move_ask(small) is None  # under the threshold: no question


def test_an_unexplained_change_and_an_unexplained_rest_are_asked():
    cause = Thing(solution="E-resept", item="", category="volum", from_year=2025,
                  to_year=2026, value_mnok=-11.4, explained=False)
    rest = Thing(solution="Helsenorge", item="Plattform", category="volum", from_year=2024,
                 to_year=2025, value_mnok=20.0, explained=True,
                 explanations=[("økt bruk", "forklart")],
                 account=Thing(full=False, left=(8.0, 6.5), explained=(12.0, 13.5)))
    asked = questions.unexplained_asks([cause, rest], [])
    assert [(a.question, a.text) for a in asked] == [
        ("Hva er årsaken?", "E-resept, volum 2025–2026: −11,4 mill. kroner. Kilden forklarer "
                            "ikke endringen."),
        ("Hva er resten?", "Helsenorge, Plattform, volum 2024–2025: +20 mill. kroner. Kilden "
                           "forklarer 12 mill. kroner; 8 mill. kroner står uten forklaring."),
    ]
    assert [a.stake for a in asked] == [11.4, 8.0]


def _contradiction(first: float, second: float, *further: float) -> questions.Contradiction:
    said = Thing(text="", where="")
    readings = tuple(Thing(value=v, statement="", quote="", section="", also=[])
                     for v in further)
    return questions.Contradiction("prognosen for 2024 for VKP", "Helsenettet", said, said,
                                   first, second, readings)


def test_a_contradictions_amounts_are_named_smallest_first_each_once():
    """Review 8 L2: the amounts in the register's order could read «3, 6 eller 5» or «3, 3
    eller 6»; the shipped round's −5, −3 and −6 read «3, 5 eller 6»."""
    asked = [questions.contradiction_ask(_contradiction(*values)).question
             for values in ((-5.0, -3.0, -6.0), (-3.0, -6.0, -5.0), (-3.0, -3.0, -6.0))]
    assert asked == [
        "Er prognosen for 2024 for VKP redusert med 3, 5 eller 6 mill. kroner?",
        "Er prognosen for 2024 for VKP redusert med 3, 5 eller 6 mill. kroner?",
        "Er prognosen for 2024 for VKP redusert med 3 eller 6 mill. kroner?"]
