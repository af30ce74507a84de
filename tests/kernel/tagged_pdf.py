"""Checks of a tagged PDF (PDF/UA) for the tests of each PDF: the catalog, the structure tree, reading order."""

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject


@dataclass
class Element:
    tag: str  # "H1", "P", "Table", "TH", "Figure"...
    alt: str | None


@dataclass
class TaggedPdf:
    reader: PdfReader
    elements: list[Element]  # the structure tree, depth first: the order a screen reader reads it in
    text: str  # pypdf's text of every page, in the order it extracts

    @property
    def catalog(self) -> DictionaryObject:
        return self.reader.trailer["/Root"]

    @property
    def title(self) -> str | None:
        return self.reader.metadata.title if self.reader.metadata else None

    def blocks(self) -> list[str]:
        """The tags of the tree without its inline spans: "Document", "H1", "P", "Table"..."""
        return [element.tag for element in self.elements if element.tag not in ("Span", "NonStruct")]

    def tags(self, *names: str) -> list[Element]:
        return [element for element in self.elements if element.tag in names]


def read(pdf: bytes) -> TaggedPdf:
    reader = PdfReader(io.BytesIO(pdf))
    elements: list[Element] = []
    if "/StructTreeRoot" in reader.trailer["/Root"]:
        _walk(reader.trailer["/Root"]["/StructTreeRoot"].get_object(), elements)
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    return TaggedPdf(reader=reader, elements=elements, text=text)


def _walk(node, elements: list[Element]) -> None:
    node = node.get_object()
    if not isinstance(node, DictionaryObject):
        return
    if node.get("/Type") == "/StructElem":
        alt = node.get("/Alt")
        elements.append(Element(tag=str(node["/S"]).lstrip("/"), alt=str(alt) if alt is not None else None))
    children = node.get("/K")
    for child in children if isinstance(children, ArrayObject) else [children] if children is not None else []:
        if hasattr(child, "get_object"):
            _walk(child, elements)


def assert_tagged(pdf: bytes, *, title: str, headings: list[str]) -> TaggedPdf:
    """A tagged PDF in British English with its title shown, these headings tagged and extracting in this
    order, headings never skipping a level, every figure with alternative text and every table with header cells."""
    tagged = read(pdf)
    catalog = tagged.catalog
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert tagged.title == title and catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert_in_order(tagged.text, headings)
    levels = [int(element.tag[1]) for element in tagged.tags("H1", "H2", "H3", "H4", "H5", "H6")]
    assert levels[0] == 1 and all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))
    assert all(figure.alt for figure in tagged.tags("Figure"))
    assert len(tagged.tags("TH")) >= len(tagged.tags("Table"))
    return tagged


def assert_in_order(text: str, parts: list[str]) -> None:
    """Each part in the text, whole, after the one before (lines joined: a long line may wrap)."""
    flat, position = " ".join(text.split()), 0
    for part in parts:
        found = flat.find(part, position)
        assert found >= 0, f"{part!r} not found after position {position}"
        position = found + len(part)
