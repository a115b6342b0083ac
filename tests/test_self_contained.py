"""The repository stands on its own: the schemas the tests use are inside it, and no test, script,
benchmark or make target reads from beside the checkout (a fresh clone has no workplace folder next to it)."""

from __future__ import annotations

import json
import re

import jsonschema
from lxml import etree

from tests.conftest import OAI_SCHEMAS, ROOT, SCHEMAS

# Paths that leave the checkout: ../something, a parent of the repository root, the shared folder.
OUTSIDE = re.compile(r"\.\./shared|ROOT\.parent|BASE_DIR\.parent|/work/shared|[\"'/]shared/schemas")


def _checked_files():
    for folder in ("tests", "scripts", "bench", ".ci"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".sh", ""} and "schemas" not in path.parts:
                yield path
    yield ROOT / "Makefile"
    yield ROOT / "config.py"


def test_no_test_script_or_target_reads_outside_the_checkout():
    offenders = []
    for path in _checked_files():
        if path == ROOT / "tests" / "test_self_contained.py":
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_exchange_schemas_are_in_the_repository_with_their_licence():
    assert SCHEMAS.is_relative_to(ROOT) and OAI_SCHEMAS.is_relative_to(ROOT)
    for folder in (SCHEMAS, OAI_SCHEMAS):
        readme = (folder / "README.md").read_text()
        assert "Licence" in readme and "http" in readme
    assert (SCHEMAS / "LICENCE-EUPL-1.2.txt").read_text().startswith(" " * 22 + "EUROPEAN UNION PUBLIC LICENCE")
    for name in ("schedule.schema.json", "submission.schema.json", "person.json", "submission.json"):
        schema = json.loads((SCHEMAS / name).read_text())
        jsonschema.validators.validator_for(schema).check_schema(schema)
    etree.XMLSchema(etree.parse(str(SCHEMAS / "schedule.xml.xsd")))


def test_the_oai_pmh_schemas_compile_offline_and_validate_a_record():
    response_schema = etree.XMLSchema(etree.parse(str(OAI_SCHEMAS / "OAI-PMH.xsd")))
    dc_schema = etree.XMLSchema(etree.parse(str(OAI_SCHEMAS / "oai_dc.xsd")))
    record = etree.fromstring(
        b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title xml:lang="nl">Weerbaar</dc:title>'
        b"<dc:date>2025-11-13</dc:date></oai_dc:dc>"
    )
    dc_schema.assertValid(record)
    identify = etree.fromstring(
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2025-11-13T10:00:00Z</responseDate>'
        b'<request verb="Identify">https://congres.example.org/oai</request><Identify>'
        b"<repositoryName>Congres</repositoryName><baseURL>https://congres.example.org/oai</baseURL>"
        b"<protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail>"
        b"<earliestDatestamp>2025-01-01T00:00:00Z</earliestDatestamp><deletedRecord>no</deletedRecord>"
        b"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>"
    )
    response_schema.assertValid(identify)
    assert not dc_schema.validate(etree.fromstring(
        b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><x/></oai_dc:dc>'))
