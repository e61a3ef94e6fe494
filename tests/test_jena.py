"""Apache Jena's `rsparql`, the third SPARQL client users have, against a live `crtkg serve`.

Jena is Debian's `libapache-jena-java` (4.5.0), which `.ci/run` installs. That package ships
jars, no launcher, and a packaging fault: jena-core's copy of Xerces lives in the package
`xerces` while its message files stay under `org/apache/jena/ext/xerces`, so the first XSD
datatype Jena builds fails with "internal error". The classpath below adds the message files
where Xerces looks for them, in a jar made from jena-core's own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from graph.namespaces import KG, sparql_prologue
from tests.helpers import RECOMMENDED, TRIAL, TRIAL_GRAPH

JARS = Path("/usr/share/java")
# jena's own jars and what Debian's package depends on, by their unversioned names
DEPENDENCIES = ("slf4j-api", "slf4j-nop", "commons-cli", "commons-lang3", "commons-io",
                "commons-codec", "commons-compress", "commons-csv", "dexx.collection", "gson",
                "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind",
                "jackson-annotations", "jsonld-java", "protobuf", "thrift",
                "titanium-json-ld", "jakarta.json-api")
SHADED = "org/apache/jena/ext/xerces/"


@pytest.fixture(scope="module")
def rsparql(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command that runs Jena's rsparql."""
    core = JARS / "jena-core.jar"
    if not core.exists() or shutil.which("java") is None:
        pytest.skip("Jena is not installed (Debian: apt-get install libapache-jena-java)")
    messages = tmp_path_factory.mktemp("jena") / "xerces-messages.jar"
    with zipfile.ZipFile(core) as jar, zipfile.ZipFile(messages, "w") as out:
        for name in jar.namelist():
            if name.startswith(SHADED) and name.endswith(".properties"):
                out.writestr("xerces/" + name.removeprefix(SHADED), jar.read(name))
    jars = [*sorted(JARS.glob("jena-*-[0-9]*.jar")),
            *(JARS / f"{name}.jar" for name in DEPENDENCIES), messages]
    return ["java", "-cp", ":".join(map(str, jars)), "arq.rsparql"]


def ask(command: list[str], endpoint: str, query: str, *options: str) -> str:
    done = subprocess.run([*command, "--service", endpoint, *options, query],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_rsparql_select_as_json_and_tsv(rsparql: list[str], live_server: str) -> None:
    answer = json.loads(ask(rsparql, live_server + "/sparql", RECOMMENDED, "--results=JSON"))
    assert [(b["modality"]["value"], b["role"]["value"])
            for b in answer["results"]["bindings"]] == [
        ("cardiac magnetic resonance imaging", "assessment of myocardial scar"),
        ("echocardiography", "CRT optimization"),
        ("echocardiography", "patient selection")]
    assert ask(rsparql, live_server + "/sparql", TRIAL, "--results=TSV").splitlines() == [
        "?n", '"NCT00683696"']


def test_rsparql_select_by_post(rsparql: list[str], live_server: str) -> None:
    answer = json.loads(ask(rsparql, live_server + "/sparql", TRIAL, "--post",
                            "--results=JSON"))
    assert [b["n"]["value"] for b in answer["results"]["bindings"]] == ["NCT00683696"]


def test_rsparql_construct_as_ntriples(rsparql: list[str], live_server: str) -> None:
    graph = Graph().parse(data=ask(rsparql, live_server + "/sparql", TRIAL_GRAPH,
                                   "--results=NT"), format="nt")
    assert set(graph) == {(KG.echocrt, URIRef("https://w3id.org/crtkg/ontology/registryNumber"),
                           Literal("NCT00683696"))}


def test_rsparql_ask_and_a_decimal_kept_as_a_decimal(rsparql: list[str],
                                                     live_server: str) -> None:
    endpoint = live_server + "/sparql"
    assert ask(rsparql, endpoint, sparql_prologue() + "ASK { kg:echocrt a crtkg:ClinicalStudy }"
               ).strip() == "Ask => Yes"
    answer = json.loads(ask(rsparql, endpoint, sparql_prologue() + "SELECT ?v WHERE { "
                            "kg:echocrt-primary-hr crtkg:value ?v }", "--results=JSON"))
    assert answer["results"]["bindings"] == [{"v": {
        "type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#decimal",
        "value": "1.2"}}]


def test_rsparql_reports_the_endpoints_error(rsparql: list[str], live_server: str) -> None:
    done = subprocess.run([*rsparql, "--service", live_server + "/sparql",
                           "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "400" in done.stdout + done.stderr
