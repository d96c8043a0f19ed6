"""The change trail in words: labels instead of codes, lists and dicts as readable lines, long
texts as a word diff, nothing clipped; on the trail page and in a record's "Audit trail"."""

import html

from django.urls import reverse

from aims.inventory.models import Automation, Stage
from aims.inventory.services import save_system
from aims.trail.models import Action
from aims.trail.services import record
from aims.trail.templatetags.audit_tags import describe_changes, word_diff

LONG_BEFORE = (
    "Scores applications for consumer loans up to 50,000 euros; loan officers see the score and "
    "its main reasons and decide themselves, and every refusal is reviewed by a second officer."
)
LONG_AFTER = LONG_BEFORE.replace("50,000", "75,000").replace("second officer", "credit committee")


def test_choice_codes_read_as_their_labels_and_fields_by_their_verbose_names():
    (change,) = describe_changes("inventory.aisystem", {"automation": ["advisory", "in_the_loop"]})
    assert change.label == "Level of automation"
    assert change.kind == "value"
    assert change.before == Automation.ADVISORY.label
    assert change.after == "Human in the loop: a person approves each decision"


def test_the_five_whys_read_as_lines_with_what_was_added_and_removed():
    first = [{"why": "Why did the model drift?", "because": "The applicant mix changed."}]
    second = [*first, {"why": "Why was it not seen?", "because": "No drift check ran."}]
    (created,) = describe_changes("nonconformities.nonconformity", {"whys": [None, first]})
    assert created.label == "Five whys" and created.kind == "lines"
    assert created.lines == ["Why: Why did the model drift?; Because: The applicant mix changed."]
    (changed,) = describe_changes("nonconformities.nonconformity", {"whys": [first, second]})
    assert changed.added == ["Why: Why was it not seen?; Because: No drift check ran."]
    assert changed.removed == []
    for change in (created, changed):
        assert "{" not in " ".join(change.lines + change.added)  # no Python dict


def test_a_long_text_is_a_word_diff():
    (change,) = describe_changes("inventory.aisystem", {"purpose": [LONG_BEFORE, LONG_AFTER]})
    assert change.kind == "text" and change.fold
    assert "<del>50,000</del><ins>75,000</ins>" in change.diff
    assert "<del>second officer.</del><ins>credit committee.</ins>" in change.diff
    assert change.diff.startswith("Scores applications for consumer loans up to ")
    assert (change.words_removed, change.words_added) == (3, 3)


def test_the_word_diff_escapes_user_text():
    diff = word_diff("<b>old</b> text", '<script>alert("x")</script> text')
    assert "<script>" not in diff and "&lt;script&gt;" in diff
    assert "<b>" not in diff


def test_unknown_record_types_and_fields_still_read_in_words():
    (change,) = describe_changes("gone.model", {"last_run": [None, {"status": "failed", "run": 4}]})
    assert change.label == "Last run" and change.lines == ["Status: failed", "Run: 4"]


def test_the_trail_page_and_the_record_page_show_words_not_codes_and_clip_nothing(
    world, credit_system
):
    credit_system.automation = Automation.HUMAN_IN_LOOP
    credit_system.purpose = LONG_BEFORE
    save_system(credit_system, actor=world.owner)
    credit_system.purpose = LONG_AFTER
    save_system(credit_system, actor=world.owner)
    record(
        world.org,
        actor=world.owner,
        instance=credit_system,
        action=Action.TRANSITION,
        changes={"stage": [Stage.PLANNING, Stage.DEVELOPMENT]},
        note="A long note. " * 30,
    )
    pages = [
        reverse("audit_log", kwargs={"org": world.org.slug}),
        credit_system.get_absolute_url(),
    ]
    for url in pages:
        response = world.client(world.auditor).get(url)
        assert response.status_code == 200
        text = html.unescape(response.content.decode())
        assert "Level of automation" in text
        assert "Human in the loop: a person approves each decision" in text
        assert "in_the_loop" not in text and "'why'" not in text
        assert Stage.DEVELOPMENT.label in text
        assert "<del>50,000</del><ins>75,000</ins>" in text  # the diff, whole
        assert "<del>second officer.</del><ins>credit committee.</ins>" in text
        assert ("A long note. " * 30).strip() in text  # folded, never cut


def test_a_rewritten_text_shows_before_and_after_whole_and_a_new_one_the_text_alone():
    (rewritten,) = describe_changes(
        "inventory.aisystem", {"purpose": [LONG_BEFORE, "Chats with customers. " * 10]}
    )
    assert rewritten.diff.startswith(f'<del class="block">{LONG_BEFORE}</del><ins class="block">')
    (written,) = describe_changes("inventory.aisystem", {"purpose": ["", LONG_AFTER]})
    assert (written.kind, written.after, written.diff) == ("text", LONG_AFTER, "")
