"""Spreadsheets in and out: --input-format csv and redcap, --format csv, and the questionnaire as a REDCap data
dictionary and a CSV template. What a user sees: the command's output, stderr and exit status."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core.questionnaire import QUESTIONS, Question
from tests.strategies import answers

ROOT = Path(__file__).resolve().parent.parent.parent
MULTI = [q for q in QUESTIONS if q.kind == "multi"]
RESULT_HEADER = [
    "id",
    "line",
    "level",
    "within",
    "action",
    "rules",
    "pain_impact",
    "duration",
    "risk_group",
    "screen_total",
    "screen_psychosocial",
    "policy_version",
    "error",
    "warning",
]


# -- writing answers as a user's spreadsheet or a REDCap export would hold them (independently of the reader) --


def _codes(q: Question) -> list[str]:
    return [*q.values, *([] if q.min_items else ["none"])]


def plain_header() -> list[str]:
    out = ["id"]
    for q in QUESTIONS:
        if q.kind == "startback":
            out += ["startback_total", "startback_psychosocial"]
        elif q.kind != "id":
            out.append(q.key)
    return out


def redcap_header() -> list[str]:
    out = ["record_id", "redcap_survey_identifier"]
    for q in QUESTIONS:
        if q.kind == "multi":
            out += [f"{q.key}___{c}" for c in _codes(q)]
        elif q.kind == "startback":
            out += ["startback_total", "startback_psychosocial"]
        elif q.kind != "id":
            out.append(q.key)
    return [*out, "back_and_neck_pain_complete"]


def _number(v: Any) -> str:
    return repr(v) if isinstance(v, float) else str(v)


def plain_row(a: dict[str, Any], rng: random.Random) -> list[str]:
    row = [a.get("id", "")]
    for q in QUESTIONS:
        v = a.get(q.key)
        if q.kind == "id":
            continue
        if q.kind == "startback":
            row += ["", ""] if v is None else [str(v["total"]), str(v["psychosocial"])]
        elif v is None:
            row.append("")
        elif q.kind == "multi":
            row.append(";".join(v) if v else rng.choice(["none", " none "]))
        elif q.kind == "boolean":
            word = rng.choice([("true", "false"), ("yes", "no")])[0 if v else 1]
            row.append(rng.choice([word, word.upper(), word.capitalize()]))
        elif q.kind in ("integer", "number"):
            row.append(_number(v))
        else:
            row.append(v)
    return row


def redcap_row(a: dict[str, Any]) -> list[str]:
    row = [a.get("id", ""), ""]
    for q in QUESTIONS:
        v = a.get(q.key)
        if q.kind == "id":
            continue
        if q.kind == "multi":
            ticked = set(v or ()) if v is not None else set()
            row += ["1" if c in ticked or (c == "none" and v == []) else "0" for c in _codes(q)]
        elif q.kind == "startback":
            row += ["", ""] if v is None else [str(v["total"]), str(v["psychosocial"])]
        elif v is None:
            row.append("")
        elif q.kind == "boolean":
            row.append("1" if v else "0")
        elif q.kind in ("integer", "number"):
            row.append(_number(v))
        else:
            row.append(v)
    return [*row, "2"]


def table(header: list[str], rows: list[list[str]], newline: str = "\r\n") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def invoke(data: bytes, *args: str) -> Any:
    return CliRunner().invoke(app, ["assess", *args], input=data)


def results(data: bytes, *args: str) -> list[dict[str, Any]]:
    result = invoke(data, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    if result.stdout.startswith("{\n"):  # one record of JSON Lines in: one object out
        return [json.loads(result.stdout)]
    return [json.loads(line) for line in result.stdout.split("\n") if line]  # not splitlines(): an id may hold U+0085


def in_questionnaire_order(a: dict[str, Any]) -> dict[str, Any]:
    """REDCap holds a list as ticks, in the questionnaire's order: the order it was given in is not kept."""
    return {k: [x for x in q.values if x in v] if (q := _BY_KEY[k]).kind == "multi" else v for k, v in a.items()}


_BY_KEY = {q.key: q for q in QUESTIONS}
#: Ids a spreadsheet cell can hold: any text but the empty cell (a missing id), commas, quotes and line breaks
#: included; a cell is text, so an id is always read as a string.
IDS = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(answers(ids=IDS), min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_csv_and_redcap_rows_give_exactly_the_json_result(batch: list[dict[str, Any]], rng: random.Random) -> None:
    expected = results(b"".join(json.dumps(a).encode() + b"\n" for a in batch), "--input-format", "jsonl")
    assert len(expected) == len(batch) and all("error" not in r for r in expected)
    plain = results(table(plain_header(), [plain_row(a, rng) for a in batch]), "--input-format", "csv")
    assert plain == expected
    in_order = results(
        b"".join(json.dumps(in_questionnaire_order(a)).encode() + b"\n" for a in batch), "--input-format", "jsonl"
    )
    redcap = results(table(redcap_header(), [redcap_row(a) for a in batch]), "--input-format", "redcap")
    assert redcap == in_order


def test_a_row_is_assessed_like_the_same_json(base_answers: dict[str, Any]) -> None:
    a = {**base_answers, "id": "clinic-1", "red_flags": ["fever_or_chills"], "duration_weeks": 2.5}
    expected = results(json.dumps(a).encode())
    assert results(table(redcap_header(), [redcap_row(a)]), "--input-format", "redcap") == expected
    assert results(table(plain_header(), [plain_row(a, random.Random(1))]), "--input-format", "csv") == expected
    assert expected[0]["level"] == "urgent"


# -- the spreadsheet as Excel writes it --


def test_bom_crlf_and_quoted_cells_with_commas_and_line_breaks(base_answers: dict[str, Any], tmp_path: Path) -> None:
    a = {**base_answers, "id": 'Smith, "Jo"\r\nward 3', "pain_areas": ["low_back", "neck"]}
    data = b"\xef\xbb\xbf" + table(plain_header(), [plain_row(a, random.Random(2))] * 2)
    path = tmp_path / "intake.CSV"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["assess", "--answers", str(path), "--format", "json"])  # told by its name
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in out] == [a["id"]] * 2
    assert out[0] == results(json.dumps(a).encode())[0]


def test_an_integer_id_is_read_as_text(base_answers: dict[str, Any]) -> None:
    out = results(
        table(plain_header(), [plain_row({**base_answers, "id": 42}, random.Random(3))]), "--input-format", "csv"
    )
    assert out[0]["id"] == "42"


def test_empty_rows_are_skipped_and_said(base_answers: dict[str, Any]) -> None:
    width = len(plain_header())
    row = plain_row(base_answers, random.Random(4))
    result = invoke(table(plain_header(), [row, [""] * width, [], row]), "--input-format", "csv", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[1] for r in rows[1:]] == ["2", "5"]  # the rows' numbers as a spreadsheet shows them
    assert "2 records read" in result.stderr and "2 blank lines skipped" in result.stderr


# -- bad input: each its own clear error, and every other row still assessed --


def _one_bad(header: list[str], bad: list[str], good: list[str], *args: str) -> tuple[dict[str, Any], Any]:
    result = invoke(table(header, [good, bad, good]), *args, "--format", "json")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3 and "level" in out[0] and "level" in out[2], "the other rows are assessed"
    assert out[1]["line"] == 3
    return out[1], result


def _redcap(base: dict[str, Any], **cells: str) -> tuple[list[str], list[str], list[str]]:
    header = redcap_header()
    good = redcap_row({**base, "id": "r"})
    bad = list(good)
    for name, cell in cells.items():
        bad[header.index(name)] = cell
    return header, bad, good


def test_a_list_with_nothing_ticked_is_unanswered_not_none(base_answers: dict[str, Any]) -> None:
    cells = {f"red_flags___{c}": "0" for c in _codes(_BY_KEY["red_flags"])}
    out, _ = _one_bad(*_redcap(base_answers, **cells), "--input-format", "redcap")
    assert out["error"] == "red_flags___*: nothing ticked: not answered; tick red_flags___none if none apply"


def test_none_ticked_with_another_option(base_answers: dict[str, Any]) -> None:
    cells = {"radiating_pain___none": "1", "radiating_pain___arm": "1"}
    out, _ = _one_bad(*_redcap(base_answers, **cells), "--input-format", "redcap")
    assert out["error"].startswith("radiating_pain___none: none is ticked with other options (arm)")


def test_a_fraction_for_a_whole_number(base_answers: dict[str, Any]) -> None:
    out, _ = _one_bad(*_redcap(base_answers, pain_intensity="7.5"), "--input-format", "redcap")
    assert out["error"] == "pain_intensity: expected a whole number from 0 to 10, got 7.5 (a number)"


def test_a_ragged_row(base_answers: dict[str, Any]) -> None:
    header, _, good = _redcap(base_answers)
    out, _ = _one_bad(header, good[:-3], good, "--input-format", "redcap")
    assert out["id"] == "r"
    assert out["error"].startswith(f"(row): {len(header) - 3} cells where the header has {len(header)}")


def test_a_cell_that_is_not_utf8_rejects_its_row_only(base_answers: dict[str, Any]) -> None:
    header, bad, good = _redcap(base_answers)
    lines = table(header, [good, bad, good]).split(b"\r\n")
    lines[2] = b"r\xe9" + lines[2][1:]
    data = b"\r\n".join(lines)
    result = invoke(data, "--input-format", "redcap", "--format", "json")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert ["level" in r for r in out] == [True, False, True]
    assert out[1]["error"].startswith("(row): not valid UTF-8 at byte 2 of line 3 (0xe9)")


def test_a_missing_column_an_unknown_column_and_a_column_twice(base_answers: dict[str, Any]) -> None:
    header = plain_header()
    row = plain_row({**base_answers, "id": "x"}, random.Random(5))
    i = header.index("age")
    missing = table(header[:i] + header[i + 1 :], [row[:i] + row[i + 1 :]])
    out = results(missing, "--input-format", "csv")
    assert out[0]["error"] == "age: no column in the header; expected a whole number from 16 to 120"
    assert out[0]["id"] == "x"
    unknown = results(table([*header, "red_flag"], [[*row, "saddle numbness"]]), "--input-format", "csv")
    assert unknown[0]["error"].startswith("red_flag: unknown column (did you mean red_flags?)")
    assert "saddle_numbness" in unknown[0]["warning"]  # a misspelt column's warning sign is still heard
    twice = results(table([*header, "age"], [[*row, "50"]]), "--input-format", "csv")
    assert twice[0]["error"].startswith("age: column given twice")


def test_a_redcap_export_read_as_plain_csv_says_so(base_answers: dict[str, Any]) -> None:
    out = results(table(redcap_header(), [redcap_row(base_answers)]), "--input-format", "csv")
    assert "record_id: unknown column (is this a REDCap export? then use --input-format redcap)" in out[0]["error"]


def test_an_export_of_labels_is_refused_with_how_to_export_raw_data(base_answers: dict[str, Any]) -> None:
    # Raw headers, label cells: "Checked"/"Unchecked", "Yes"/"No" and the options' labels.
    header = redcap_header()
    row = redcap_row({**base_answers, "red_flags": ["saddle_numbness"]})
    labels = []
    for name, cell in zip(header, row, strict=True):
        q = _BY_KEY.get(name.split("___")[0])
        if "___" in name:
            labels.append("Checked" if cell == "1" else "Unchecked")
        elif q is not None and q.kind == "boolean":
            labels.append("Yes" if cell == "1" else "No")
        elif q is not None and q.kind == "choice" and cell:
            labels.append(q.label(cell))
        else:
            labels.append(cell)
    result = invoke(table(header, [labels, row]), "--input-format", "redcap", "--format", "json")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["error"].startswith("(row): this is a REDCap export of labels, not of raw codes; export the raw data")
    assert '"CSV / Microsoft Excel (raw data)"' in out[0]["error"]
    assert "saddle_numbness" in out[0]["warning"]  # not assessed, but the sign it gives is told
    assert out[1]["level"] == "emergency"
    # Label headers ("Record ID", "... (choice=...)", "Complete?") too.
    label_header = ["Record ID", "Do you have any of these right now? (choice=None of these)", "Complete?"]
    out = results(table(label_header, [["1", "Checked", "Complete"]]), "--input-format", "redcap")
    assert out[0]["error"].startswith("(header): this is a REDCap export of labels")


def test_a_rejected_row_still_warns_of_the_signs_it_gives(base_answers: dict[str, Any]) -> None:
    header, bad, good = _redcap(base_answers, red_flags___saddle_numbness="1", red_flags___none="0", age="abc")
    out, result = _one_bad(header, bad, good, "--input-format", "redcap")
    assert out["error"].startswith('age: expected a whole number from 16 to 120, got "abc"')
    assert out["warning"].startswith("NOT ASSESSED, but warning signs were given: Numbness or tingling around the")
    assert "Go to an emergency department now" in out["warning"]
    assert "saddle_numbness" in result.stderr


# -- results as CSV --


def test_results_as_csv_one_row_per_record_in_order_with_errors_and_warnings(base_answers: dict[str, Any]) -> None:
    records = [
        {**base_answers, "id": '=HYPERLINK("http://x")'},
        {"id": "+bad", "age": 40, "red_flags": ["bladder_or_bowel_change"]},
        {**base_answers, "id": "c", "red_flags": ["saddle_numbness"]},
    ]
    result = invoke(b"".join(json.dumps(r).encode() + b"\n" for r in records), "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout_bytes.count(b"\r\n") == 4  # RFC 4180 line ends
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == RESULT_HEADER
    assert [r["id"] for r in rows] == ['\'=HYPERLINK("http://x")', "'+bad", "c"]  # never a formula
    assert [r["line"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["level"] == "self_care" and rows[0]["rules"] == "C0" and rows[0]["error"] == ""
    assert rows[0]["policy_version"] and rows[0]["risk_group"] and rows[0]["pain_impact"]
    assert rows[1]["level"] == "" and "pain_areas: missing" in rows[1]["error"]
    assert rows[1]["warning"].startswith("NOT ASSESSED, but warning signs were given")
    assert rows[2]["level"] == "emergency" and rows[2]["within"] == "now" and rows[2]["rules"].startswith("E")


def test_csv_in_csv_out_with_jobs_gives_the_same_rows(base_answers: dict[str, Any]) -> None:
    rng = random.Random(6)
    rows = [plain_row({**base_answers, "id": str(i), "pain_intensity": i % 11}, rng) for i in range(2500)]
    rows[1700][3] = "maybe"
    data = table(plain_header(), rows)
    one = invoke(data, "--input-format", "csv", "--format", "csv")
    two = invoke(data, "--input-format", "csv", "--format", "csv", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 2501


def test_a_closed_pipe_ends_quietly(base_answers: dict[str, Any], tmp_path: Path) -> None:
    rows = [plain_row({**base_answers, "id": str(i)}, random.Random(i)) for i in range(20000)]
    path = tmp_path / "big.csv"
    path.write_bytes(table(plain_header(), rows))
    cmd = f"{sys.executable} -m backpain_cli assess --answers {path} --format csv | head -2"
    proc = subprocess.run(["sh", "-c", cmd], capture_output=True, cwd=ROOT, timeout=60, check=False)
    assert proc.stdout.decode().splitlines()[0].startswith("id,line,level")
    assert len(proc.stdout.splitlines()) == 2
    assert proc.stderr == b""


# -- the questionnaire as a REDCap data dictionary and as a CSV template --

REDCAP_COLUMNS = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]
NAME = re.compile(r"[a-z][a-z0-9_]*")
CODE = re.compile(r"[a-z0-9_]+")


def dictionary() -> list[dict[str, str]]:
    result = CliRunner().invoke(app, ["questions", "--format", "redcap"])
    assert result.exit_code == 0
    reader = csv.reader(io.StringIO(result.stdout))
    header = next(reader)
    assert header == REDCAP_COLUMNS
    rows = list(reader)
    assert all(len(r) == 18 for r in rows)
    return [dict(zip(header, r, strict=True)) for r in rows]


def choices(text: str) -> dict[str, str]:
    out = {}
    for part in text.split("|"):
        code, sep, label = part.strip().partition(",")
        assert sep and code.strip() and label.strip(), part
        out[code.strip()] = label.strip()
    return out


def test_the_data_dictionary_keeps_redcap_rules() -> None:
    rows = dictionary()
    names = [r["Variable / Field Name"] for r in rows]
    assert names[0] == "record_id"
    assert len(names) == len(set(names))
    kinds = {r["Variable / Field Name"]: r["Field Type"] for r in rows}
    codes: dict[str, dict[str, str]] = {}
    for i, row in enumerate(rows):
        name = row["Variable / Field Name"]
        assert NAME.fullmatch(name) and len(name) <= 100, name
        assert NAME.fullmatch(row["Form Name"])
        assert row["Field Type"] in {"text", "radio", "checkbox", "yesno", "descriptive"}
        assert row["Field Label"]
        assert row["Required Field?"] in ("", "y")
        if row["Field Type"] in ("radio", "checkbox"):
            codes[name] = choices(row["Choices, Calculations, OR Slider Labels"])
            for code in codes[name]:
                assert CODE.fullmatch(code) if row["Field Type"] == "checkbox" else re.fullmatch(r"[\w.-]+", code)
                assert len(f"{name}___{code}") <= 100
        else:
            assert row["Choices, Calculations, OR Slider Labels"] == ""
        if row["Text Validation Type OR Show Slider Number"]:
            assert row["Field Type"] == "text"
            assert row["Text Validation Type OR Show Slider Number"] in ("integer", "number")
            assert float(row["Text Validation Min"]) <= float(row["Text Validation Max"])
        logic = row["Branching Logic (Show field only if...)"]
        earlier = set(names[:i])
        for field, code in re.findall(r"\[([^\]()]+)(?:\(([^)]*)\))?\]", logic):
            assert field in earlier, f"{name}'s logic refers to {field}, not an earlier field"
            if code:
                assert kinds[field] == "checkbox" and code in codes[field]
        assert logic.count("[") == logic.count("]") and logic.count("'") % 2 == 0
        for tag in re.findall(r"@NONEOFTHEABOVE='([^']*)'", row["Field Annotation"]):
            assert row["Field Type"] == "checkbox" and tag in codes[name]
        for cell in row.values():  # nothing a spreadsheet would run, and so nothing changed on the way to REDCap
            assert cell.lstrip()[:1] not in ("=", "+", "-", "@")


def test_the_data_dictionary_is_the_questionnaire() -> None:
    rows = {r["Variable / Field Name"]: r for r in dictionary()}
    for q in QUESTIONS:
        if q.kind == "id":
            continue
        if q.kind == "startback":
            assert rows["startback_total"]["Text Validation Max"] == "9"
            assert (
                rows["startback_psychosocial"]["Branching Logic (Show field only if...)"] == "[startback_total] <> ''"
            )
            assert "@HIDDEN-SURVEY" in rows["startback_total"]["Field Annotation"]
            continue
        row = rows[q.key]
        assert row["Field Label"] == q.prompt
        assert row["Required Field?"] == ("y" if q.required else "")
        kind = {"integer": "text", "number": "text", "boolean": "yesno", "choice": "radio", "multi": "checkbox"}
        assert row["Field Type"] == kind[q.kind]
        if q.kind in ("choice", "multi"):
            got = choices(row["Choices, Calculations, OR Slider Labels"])
            assert {k: v for k, v in got.items() if k != "none" or q.kind == "choice"} == {
                c.value: c.label for c in q.choices
            }
        if q.kind == "multi":
            if q.min_items:
                assert "none" not in got and "@NONEOFTHEABOVE" not in row["Field Annotation"]
            else:
                assert "none" in got and "@NONEOFTHEABOVE='none'" in row["Field Annotation"]
    advice = rows["red_flags_emergency_advice"]
    assert (
        advice["Field Type"] == "descriptive"
        and "[red_flags(saddle_numbness)] = '1'" in advice["Branching Logic (Show field only if...)"]
    )
    assert rows["age"]["Text Validation Min"] == "16"


def test_a_redcap_export_of_the_dictionary_reads_back(base_answers: dict[str, Any]) -> None:
    """The columns REDCap exports for the dictionary (checkboxes as field___code) are the ones the reader takes."""
    rows = dictionary()
    header = ["record_id"]
    for r in rows[1:]:
        name = r["Variable / Field Name"]
        if r["Field Type"] == "checkbox":
            header += [f"{name}___{c}" for c in choices(r["Choices, Calculations, OR Slider Labels"])]
        elif r["Field Type"] != "descriptive":
            header.append(name)
    assert [h for h in redcap_header() if not h.startswith("redcap_") and not h.endswith("_complete")] == header
    out = results(table(redcap_header(), [redcap_row(base_answers)]), "--input-format", "redcap")
    assert out[0]["level"] == "self_care"


def test_the_csv_template_is_a_valid_example() -> None:
    result = CliRunner().invoke(app, ["questions", "--format", "csv-template"])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == plain_header() and len(rows) == 2
    out = results(result.stdout_bytes, "--input-format", "csv")
    assert out[0]["id"] == "example-1" and "level" in out[0]


def test_a_spreadsheet_saved_with_semicolons_says_so(base_answers: dict[str, Any]) -> None:
    data = table(plain_header(), [plain_row(base_answers, random.Random(7))]).replace(b",", b";")
    out = results(data, "--input-format", "csv")
    assert out[0]["error"].startswith("(header): the header is one cell: the columns are separated by ';', not commas")


def test_sigterm_stops_a_csv_batch_between_whole_rows(base_answers: dict[str, Any]) -> None:
    import signal

    rows = [plain_row({**base_answers, "id": str(i)}, random.Random(i)) for i in range(50)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess", "--input-format", "csv", "--format", "csv"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(table(plain_header(), rows))
    proc.stdin.flush()  # the input stays open: the batch has written its results and waits for more
    assert proc.stdout.readline().startswith(b"id,line,level")
    for _ in rows:
        assert proc.stdout.readline().endswith(b"\r\n")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert out == b"" and b"terminated" in err


def test_nameless_columns_are_skipped_while_they_are_empty(base_answers: dict[str, Any]) -> None:
    row = plain_row(base_answers, random.Random(8))
    out = results(table([*plain_header(), "", ""], [[*row, "", ""], [*row, "", "x"]]), "--input-format", "csv")
    assert "level" in out[0]
    assert out[1]["error"] == f'(column {len(row) + 2}): "x" under no column name'


def test_a_stray_quote_loses_no_row(base_answers: dict[str, Any]) -> None:
    rows = [plain_row({**base_answers, "id": f"r{i}"}, random.Random(i)) for i in range(5)]
    data = table(plain_header(), rows).replace(b"\r\nr1,", b'\r\n"r1,')  # a quote opened and never closed
    result = invoke(data, "--input-format", "csv", "--format", "json")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("level") is not None for r in out] == [True, False, True, True, True]
    assert out[1]["error"].startswith("(row): 1 cell where the header has")
    assert [r["id"] for r in out] == ["r0", "r1," + ",".join(rows[1][1:]) + "\r\n", "r2", "r3", "r4"]
    assert out[1]["line"] == 3 and result.exit_code == 1
