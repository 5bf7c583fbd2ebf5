"""Graph files built elsewhere: read as graphs, and refused when they could reach beyond themselves."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from sendgraph.base.errors import InputError
from sendgraph.cli import main
from sendgraph.graph.build import Build, load_data
from sendgraph.read.rdfinput import read_rdf
from tests.watch import time_bound, watching

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/a"><rdfs:label>&lol9;</rdfs:label></rdf:Description>
</rdf:RDF>
"""
EXTERNAL_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/a"><rdfs:label>&secret;</rdfs:label></rdf:Description>
</rdf:RDF>
"""
PLAIN_RDF_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/a"><rdfs:label>Children’s services</rdfs:label></rdf:Description>
</rdf:RDF>
"""
DTD_REFUSAL = (
    "has a document type declaration (<!DOCTYPE) on line 2; sendgraph refuses RDF/XML with a "
    "DTD, since entities can expand without bound or read other files. Remove the DTD and "
    "write the IRIs out in full."
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_rdf(path)
    return str(caught.value).removeprefix(f"{path} ")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, rotherham: Build) -> Path:
    """The Rotherham graph written as `sendgraph build` writes it, in each format, and as RDF/XML."""
    folder = tmp_path_factory.mktemp("exported")
    for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")):
        rotherham.graph.serialize(folder / f"g.{suffix}", format=fmt, encoding="utf-8")
    for fmt in ("trig", "nq"):
        (folder / f"g.{fmt}").write_bytes(rotherham.serialize_dataset(fmt))
    return folder


@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld", "rdf", "trig", "nq"])
def test_a_graph_file_reads_back_as_the_graph_that_was_built(
    exported: Path, rotherham: Build, suffix: str
) -> None:
    read = read_rdf(exported / f"g.{suffix}")
    assert isomorphic(read.graph, rotherham.graph)


def test_a_dataset_file_keeps_each_area_in_its_named_graph(exported: Path) -> None:
    read = read_rdf(exported / "g.trig")
    assert sorted(read.named) == [
        "https://w3id.org/sendgraph/graph/ontology",
        "https://w3id.org/sendgraph/graph/rotherham",
    ]
    assert len(read.named["https://w3id.org/sendgraph/graph/rotherham"]) + len(
        read.named["https://w3id.org/sendgraph/graph/ontology"]
    ) >= len(read.graph)


def test_questions_on_a_graph_file_give_the_rows_of_the_data_folder(exported: Path) -> None:
    from_folder = CliRunner().invoke(main, ["slippage", "-f", "csv"])
    for name in ("g.ttl", "g.jsonld", "g.rdf", "g.trig"):
        from_file = CliRunner().invoke(
            main, ["slippage", "-f", "csv", "--data", str(exported / name)]
        )
        assert from_file.exit_code == 0, from_file.output
        assert from_file.stdout == from_folder.stdout
    assert from_folder.stdout.count("\n") == 14


def test_area_picks_a_named_graph_of_a_dataset_file(exported: Path) -> None:
    built = load_data(exported / "g.nq", area="rotherham")
    assert built.area == "rotherham"
    assert list(built.areas) == ["rotherham"]
    with pytest.raises(InputError) as caught:
        load_data(exported / "g.trig", area="anyshire")
    assert (
        str(caught.value)
        == f"{exported / 'g.trig'} has no area 'anyshire'; its areas are rotherham."
    )


def test_billion_laughs_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "laughs.rdf", BILLION_LAUGHS)
    with watching([path]) as seen:
        assert refusal(path) == DTD_REFUSAL
    assert seen.violations == []


def test_an_external_entity_is_refused_and_nothing_else_is_opened(tmp_path: Path) -> None:
    path = write(tmp_path, "xxe.rdf", EXTERNAL_ENTITY)
    with watching([path]) as seen:
        assert refusal(path) == DTD_REFUSAL
    assert seen.violations == []


def test_a_doctype_hidden_in_utf16_is_refused(tmp_path: Path) -> None:
    with_bom = write(tmp_path, "bom.rdf", EXTERNAL_ENTITY.encode("utf-16"))
    assert refusal(with_bom) == (
        "is not UTF-8: byte 0xff on line 1 cannot be decoded. sendgraph reads RDF/XML files "
        "written in UTF-8."
    )
    # Without a byte-order mark every ASCII character carries a NUL, which is valid UTF-8.
    without_bom = write(tmp_path, "le.rdf", EXTERNAL_ENTITY.encode("utf-16-le"))
    assert refusal(without_bom) == "holds a NUL byte on line 1; it is not RDF/XML text."
    declared = write(
        tmp_path, "latin.rdf", PLAIN_RDF_XML.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    )
    assert refusal(declared) == (
        "declares encoding 'ISO-8859-1'; sendgraph reads RDF/XML in UTF-8 only."
    )


def test_plain_rdf_xml_is_read(tmp_path: Path) -> None:
    read = read_rdf(write(tmp_path, "plain.rdf", PLAIN_RDF_XML))
    assert [str(o) for o in read.graph.objects()] == ["Children’s services"]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"@context": "https://schema.org/", "@id": "https://example.org/a", "name": "x"},
            "has a remote JSON-LD @context ('https://schema.org/'); sendgraph never fetches one. "
            "Put the context in the file itself.",
        ),
        (
            {"@context": [{"ex": "https://example.org/"}, "http://127.0.0.1:9/ctx"], "@id": "ex:a"},
            "has a remote JSON-LD @context ('http://127.0.0.1:9/ctx'); sendgraph never fetches "
            "one. Put the context in the file itself.",
        ),
        (
            {"@context": {"@import": "https://example.org/ctx.jsonld"}, "@id": "https://e.org/a"},
            "has a JSON-LD @context with @import ('https://example.org/ctx.jsonld'); sendgraph "
            "never fetches one. Put the context in the file itself.",
        ),
        (
            {
                "@context": {
                    "knows": {"@id": "https://e.org/knows", "@context": "https://e.org/c"}
                },
                "@graph": [{"@id": "https://e.org/a", "knows": {"@id": "https://e.org/b"}}],
            },
            "has a remote JSON-LD @context ('https://e.org/c'); sendgraph never fetches one. "
            "Put the context in the file itself.",
        ),
        (
            {"@graph": [{"@id": "https://e.org/a", "@context": "file:///etc/passwd"}]},
            "has a remote JSON-LD @context ('file:///etc/passwd'); sendgraph never fetches one. "
            "Put the context in the file itself.",
        ),
    ],
)
def test_remote_json_ld_contexts_are_refused_without_a_request(
    tmp_path: Path, document: dict[str, object], expected: str
) -> None:
    path = write(tmp_path, "remote.jsonld", json.dumps(document))
    with watching([path]) as seen:
        assert refusal(path) == expected
    assert seen.violations == []


def test_an_inline_json_ld_context_is_read(tmp_path: Path) -> None:
    document = {
        "@context": {"ex": "https://example.org/", "name": "ex:name"},
        "@id": "ex:a",
        "name": "007",
    }
    path = write(tmp_path, "inline.jsonld", json.dumps(document))
    with watching([path]) as seen:
        read = read_rdf(path)
    assert seen.violations == []
    assert [(str(s), str(p), str(o)) for s, p, o in read.graph] == [
        ("https://example.org/a", "https://example.org/name", "007")
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "bad.ttl",
            "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b .\n",
            "cannot be read as Turtle, line 3: objectList expected.",
        ),
        (
            "bad.nt",
            "<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n<http://e.org/a> <http://e.org/b> .\n",
            "cannot be read as N-Triples, line 2: The object of a triple must be an IRI, a blank node or a literal.",
        ),
        (
            "bad.rdf",
            f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF_NS}">\n'
            '<rdf:Description rdf:about="http://e.org/a">\n</rdf:RDF>\n',
            "cannot be read as RDF/XML, line 4: mismatched tag.",
        ),
        ("bad.jsonld", '{"@id": "http://e.org/a",\n "http://e.org/b": \n}', "is not JSON: Expecting value at line 3."),
        ("quote.ttl", '@prefix e: <"https://e.org/> .\ne:a e:b e:c .\n',
         "holds '\"https://e.org/a', which is not an IRI (Invalid IRI code point '\"')."),
        ("hash.nt", "<https://e.org/a#b#c> <https://e.org/p> <https://e.org/o> .\n",
         "holds 'https://e.org/a#b#c', which is not an IRI (Invalid IRI code point '#')."),
        ("deep.jsonld", "[" * 100_000 + "]" * 100_000, "is JSON nested too deeply to be a graph."),
        ("bad.trig", "<http://g> { <http://a> <http://b> }\n", "cannot be read as TriG, line 1: objectList expected."),
        ("cp1252.ttl", "<http://e.org/a> <http://e.org/b> \"Children’s\" .\n".encode("cp1252"),
         "is not UTF-8: byte 0x92 on line 1 cannot be decoded. sendgraph reads Turtle files written in UTF-8."),
    ],
)  # fmt: skip
def test_a_file_that_does_not_parse_is_one_sentence_with_its_line(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    assert refusal(write(tmp_path, name, content)) == expected


def test_a_graph_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.nt", "<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n" * 10)
    with pytest.raises(InputError) as caught:
        read_rdf(path, limit=100)
    assert str(caught.value) == (
        f"{path} is 530 bytes; sendgraph reads graph files of at most 100 bytes."
    )


def test_the_cli_says_a_sentence_for_a_hostile_graph_file(tmp_path: Path) -> None:
    path = write(tmp_path, "laughs.rdf", BILLION_LAUGHS)
    result = CliRunner().invoke(main, ["slippage", "--data", str(path)])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == f"Error: {path} {DTD_REFUSAL}\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unknown_suffix_is_still_a_folder_error(tmp_path: Path) -> None:
    path = write(tmp_path, "graph.owl", PLAIN_RDF_XML)
    result = CliRunner().invoke(main, ["slippage", "--data", str(path)])
    assert result.exit_code == 3
    assert result.stderr == f"Error: {path} is not a folder of sendgraph data files.\n"


def test_the_ontology_is_added_to_a_graph_file_without_it(tmp_path: Path, rotherham: Build) -> None:
    from sendgraph.graph.ontology import load_ontology

    ontology = load_ontology()
    path = tmp_path / "bare.nt"
    (rotherham.graph - ontology).serialize(path, format="nt", encoding="utf-8")
    built = load_data(path)
    assert isomorphic(built.graph, rotherham.graph)
    assert isinstance(built.graph, Graph)


LITERAL_UNIT = 'word \\"quoted\\" \\u00e9\\n '  # read as 'word "quoted" é' and a line break


def long_literal(size: int) -> str:
    """One triple whose literal is ``size`` characters of words, quotes and escapes."""
    return f'<https://e.org/a> <https://e.org/b> "{LITERAL_UNIT * (size // len(LITERAL_UNIT))}" .\n'


@pytest.mark.parametrize("suffix", ["nt", "nq"])
def test_a_long_literal_reads_in_time_in_proportion_to_its_length(
    tmp_path: Path, suffix: str
) -> None:
    """2 MB of one literal took rdflib's N-Triples parser 34 s; it must take about 8 times 256 KB's."""
    took = {}
    for size in (256 * 1024, 2 * 1024 * 1024):
        path = write(tmp_path, f"{size}.{suffix}", long_literal(size))
        start = time.perf_counter()
        with time_bound(max(2.0, 16 * took.get(256 * 1024, 2.0))):
            read = read_rdf(path)
        took[size] = time.perf_counter() - start
        [(_, _, literal)] = list(read.graph)
        assert literal == Literal('word "quoted" é\n ' * (size // len(LITERAL_UNIT)))


def test_n_triples_and_n_quads_terms_come_back_as_written(tmp_path: Path) -> None:
    content = (
        '<https://e.org/a> <https://e.org/p> "Children’s \\"services\\""@en-GB <https://e.org/g> .\n'
        "# a comment\n"
        '<https://e.org/a> <https://e.org/p> "007"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '_:x <https://e.org/p> "plain" <https://e.org/g> .\n'
        '_:x <https://e.org/p> "string"^^<http://www.w3.org/2001/XMLSchema#string> _:graph .\n'
    )
    read = read_rdf(write(tmp_path, "terms.nq", content))
    # Two spellings RDF holds to be the same term come back in one of them: a literal's
    # xsd:string is the one a literal without a datatype has, and a language tag is
    # lower-cased (as the store that answers questions lower-cases it).
    triples = content.replace("<https://e.org/g> .", ".").replace("_:graph .", ".")
    triples = triples.replace("^^<http://www.w3.org/2001/XMLSchema#string>", "")
    expected = Graph().parse(data=triples.replace("@en-GB", "@en-gb"), format="nt")
    assert isomorphic(read.graph, expected)
    assert sorted(read.named) == ["https://e.org/g"]
    assert sorted(str(o) for o in read.named["https://e.org/g"].objects()) == [
        'Children’s "services"',
        "plain",
    ]
    assert {(o.language, o.datatype) for o in read.graph.objects() if isinstance(o, Literal)} == {
        ("en-gb", None),
        (None, URIRef("http://www.w3.org/2001/XMLSchema#integer")),
        (None, None),
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '# one\n\n<https://e.org/a> <https://e.org/b> "c" .\n<https://e.org/a> <https://e.org/b> "right"@en--rtl .\n',
            "cannot be read as N-Triples, line 4: the literal 'right' has a text direction (--rtl), "
            "which sendgraph does not read.",
        ),
        (
            "<https://e.org/a> <https://e.org/b> <<( <https://e.org/a> <https://e.org/b> <https://e.org/c> )>> .\n",
            "cannot be read as N-Triples, line 1: it holds a quoted triple, which sendgraph does not read.",
        ),
        (
            '<https://e.org/a> <https://e.org/b> "c" .\n<https://e.org/a> <https://e.org/b> "c\n',
            "cannot be read as N-Triples, line 2: ",
        ),
    ],
)
def test_a_triple_rdflib_cannot_hold_is_a_sentence_with_its_line(
    tmp_path: Path, content: str, expected: str
) -> None:
    assert refusal(write(tmp_path, "new.nt", content)).startswith(expected)
