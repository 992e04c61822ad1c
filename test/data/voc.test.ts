import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { formatVocXml, parseVocXml } from "../../src/lib/data/voc";
import { DataError } from "../../src/lib/data/types";
import { projectPaths } from "../../src/lib/config/paths";

const HAND = `<?xml version="1.0" encoding="utf-8"?>
<!-- written by hand: attributes, odd whitespace, a comment, an entity, float coordinates -->
<annotation verified="yes">
  <folder>  all </folder>
  <filename>a&amp;b.jpg</filename>
  <size><width>2048</width>
        <height>1000</height><depth>1</depth></size>
  <object>
    <name>7_yiwu</name>
    <difficult>1</difficult>
    <bndbox>
      <xmin>10</xmin><ymin>20.0</ymin>
      <xmax> 30 </xmax><ymax>40</ymax>
    </bndbox>
  </object>
  <object type="second">
    <name><![CDATA[2_hanfeng]]></name>
    <truncated>1</truncated>
    <bndbox><xmin>1</xmin><ymin>2</ymin><xmax>2048</xmax><ymax>70</ymax></bndbox>
  </object>
</annotation>
`;

test("parseVocXml reads a hand-written file with attributes, comments, entities and flags", () => {
  const a = parseVocXml(HAND, "hand.xml");
  assert.equal(a.filename, "a&b.jpg");
  assert.equal(a.folder, "all");
  assert.deepEqual([a.width, a.height, a.depth], [2048, 1000, 1]);
  assert.deepEqual(a.objects, [
    { className: "7_yiwu", xmin: 10, ymin: 20, xmax: 30, ymax: 40, difficult: true, truncated: false },
    { className: "2_hanfeng", xmin: 1, ymin: 2, xmax: 2048, ymax: 70, difficult: false, truncated: true },
  ]);
});

test("optional fields may be missing: no size, folder, filename or objects", () => {
  const a = parseVocXml("<annotation><object><name>x</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>", "min.xml");
  assert.deepEqual([a.filename, a.folder, a.width, a.height, a.depth], ["", "", 0, 0, 0]);
  assert.equal(a.objects.length, 1);
  assert.deepEqual(parseVocXml("<annotation>\n</annotation>", "empty-ann.xml").objects, []);
  // A <name> inside <source> or an object's <part> does not become the file's fields.
  const b = parseVocXml("<annotation><object><name>x</name><filename>no</filename><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object><filename>yes.jpg</filename></annotation>", "order.xml");
  assert.equal(b.filename, "yes.jpg");
});

test("malformed annotations give a DataError naming the file and the object", () => {
  const bad: [string, RegExp][] = [
    ["", /empty annotation/],
    ["<foo></foo>", /not a Pascal-VOC/],
    ["<annotation><folder>1</folder>", /unclosed or truncated/],
    ["<annotation><object><name>x</name><bndbox><xmin>1</xmin></annotation>", /malformed XML at line 1.*closing tag 'bndbox'.*unclosed or truncated/],
    ["<annotation><object><name>x</name></object></annotation>", /object 1 \(x\) has no <bndbox>/],
    ["<annotation><object><bndbox></bndbox></object></annotation>", /object 1 has no <name>/],
    ["<annotation><object><name>x</name><bndbox><xmin>a</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>", /<xmin> is "a"/],
    ["<annotation><object><name>x</name><bndbox><xmin>1</xmin><xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>", /<ymin> is missing/],
    ["<annotation><object><name>x</name><bndbox><xmin>5</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>", /inverted box/],
    ["<annotation><size><width>wide</width></size></annotation>", /<width> is "wide"/],
  ];
  for (const [xml, re] of bad) {
    assert.throws(
      () => parseVocXml(xml, "/data/bad.xml"),
      (e: unknown) => e instanceof DataError && e.message.includes("/data/bad.xml") && re.test(e.message) && e.file === "/data/bad.xml",
      `expected ${re} for ${JSON.stringify(xml)}`,
    );
  }
});

test("formatVocXml → parseVocXml round-trips", () => {
  const ann = {
    folder: "3",
    filename: "img_01_1_00001.jpg",
    width: 2048,
    height: 1000,
    depth: 1,
    objects: [
      { className: "3_yueyawan", xmin: 1, ymin: 2, xmax: 300, ymax: 400, difficult: false, truncated: false },
      { className: "a<b", xmin: 5, ymin: 6, xmax: 7, ymax: 8, difficult: true, truncated: true },
    ],
  };
  assert.deepEqual(parseVocXml(formatVocXml(ann), "rt.xml"), ann);
});

/** Counts <object> elements by plain string search: an independent check of the parser. */
function countObjects(text: string): number {
  return text.split("<object>").length - 1;
}

for (const [label, sub] of [
  ["NEU-DET annotations", "neu-det/annotations"],
  ["GC10-DET labels", "gc10-det-labels"],
] as const) {
  test(`every real ${label} file parses, with every object`, (t) => {
    const dir = path.join(projectPaths().sharedData, sub);
    if (!fs.existsSync(dir)) return t.skip(`${dir} absent`);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".xml"));
    assert.ok(files.length > 1000);
    let objects = 0;
    let expected = 0;
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      const a = parseVocXml(text, f);
      objects += a.objects.length;
      expected += countObjects(text);
      assert.ok(a.width > 0 && a.height > 0, `${f} has a size`);
      for (const o of a.objects) assert.ok(o.xmin >= 0 && o.xmax <= a.width && o.ymax <= a.height, `${f}: box inside the image`);
    }
    assert.equal(objects, expected);
  });
}

test("fast-xml-parser details: numeric entities, upper-case tags, several roots, a file cut short", () => {
  const a = parseVocXml("<Annotation><FileName>x&#65;&#x42;.jpg</FileName><Folder>3</Folder></Annotation>", "u.xml");
  assert.equal(a.filename, "xAB.jpg");
  assert.equal(a.folder, "3");
  assert.throws(() => parseVocXml("<annotation/><annotation/>", "two.xml"), /two\.xml: expected one <annotation>…<\/annotation> root, found <annotation>/);
  const cut = "<annotation>\n\t<object>\n\t\t<name>x</name>\n\t\t<bnd";
  assert.throws(
    () => parseVocXml(cut, "/d/cut.xml"),
    (e: unknown) =>
      e instanceof DataError && e.line === 4 && /^\/d\/cut\.xml:4: malformed XML at line 4.*<annotation>, <object>, <bnd> still open \(unclosed or truncated/.test(e.message),
  );
});
