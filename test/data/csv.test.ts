import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readCsv, writeCsv } from "../../src/lib/data/csv";
import { readSplitCsv, writeSplitCsv } from "../../src/lib/data/splits";
import { writeSeverstalCsv } from "../../src/lib/data/severstal-csv";
import { DataError, type Sample } from "../../src/lib/data/types";

test("readCsv: records with the line they start on (BOM, CRLF, quotes, multi-line fields, blank lines)", () => {
  const text = "\uFEFFid,v\r\n" + '"a,1","say ""hi"""\r\n' + "\r\n" + '"multi\r\nline",x\r\n' + "   \r\n" + "last,y";
  assert.deepEqual(readCsv(text, "t.csv"), [
    { fields: ["id", "v"], line: 1 },
    { fields: ["a,1", 'say "hi"'], line: 2 },
    { fields: ["multi\r\nline", "x"], line: 4 },
    { fields: ["last", "y"], line: 7 },
  ]);
  // Column counts are the caller's business; a stray quote inside a field is text.
  assert.deepEqual(readCsv('a\nb,c,d\ne"f,g\n', "t.csv"), [
    { fields: ["a"], line: 1 },
    { fields: ["b", "c", "d"], line: 2 },
    { fields: ['e"f', "g"], line: 3 },
  ]);
  assert.deepEqual(readCsv("", "t.csv"), []);
});

test("readCsv: an unclosed quote is a DataError naming the file and a line", () => {
  assert.throws(
    () => readCsv('id,v\nok,1\n"open,2\nmore,3\n', "/data/x.csv"),
    (e: unknown) => e instanceof DataError && e.file === "/data/x.csv" && typeof e.line === "number" && /^\/data\/x\.csv:\d+: malformed CSV/.test(e.message),
  );
});

test("writeCsv: LF, trailing newline, quotes only where needed (comma, quote, CR, LF)", () => {
  const rows = [["id", "split"], ["a,b", "train"], ['q"x', "val"], ["c\rd", "x"], ["e\nf", "y"], ["", "t"], [" s ", "u"]];
  assert.equal(writeCsv(rows), 'id,split\n"a,b",train\n"q""x",val\n"c\rd",x\n"e\nf",y\n,t\n s ,u\n');
  assert.equal(writeCsv([]), "");
});

test("split CSV bytes are exactly the hand-written form, and read back with the right row numbers", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "csv-"));
  try {
    const sample = (id: string): Sample => ({ id, path: id, dataset: "neu", label: 0, labels: [1], height: 1, width: 1 });
    const samples = ["plain", "with,comma", 'with"quote', "two\nlines"].map(sample);
    const file = writeSplitCsv(path.join(dir, "s.csv"), samples, { train: [0, 3], val: [1], test: [2] });
    assert.equal(fs.readFileSync(file, "utf8"), 'id,split\nplain,train\n"with,comma",val\n"with""quote",test\n"two\nlines",train\n');
    assert.deepEqual(readSplitCsv(file, samples), { train: [0, 3], val: [1], test: [2] });
    // CRLF copy with a bad row after the two-line id: the bad row is line 5.
    fs.writeFileSync(file, 'id,split\r\n"two\r\nlines",train\r\nplain,val\r\nnope,test\r\n');
    assert.throws(
      () => readSplitCsv(file, samples.slice(0, 1).concat(sample("two\r\nlines"))),
      (e: unknown) => e instanceof DataError && e.line === 5 && e.id === "nope",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("Severstal CSV writer keeps its bytes (long and wide)", () => {
  const rows = [
    { imageId: "b.jpg", classId: 3, rle: "5 2" },
    { imageId: "a.jpg", classId: 1, rle: "1 3 10 2" },
  ];
  assert.equal(writeSeverstalCsv(rows, "long"), "ImageId,ClassId,EncodedPixels\na.jpg,1,1 3 10 2\nb.jpg,3,5 2\n");
  assert.equal(
    writeSeverstalCsv(rows, "wide"),
    "ImageId_ClassId,EncodedPixels\na.jpg_1,1 3 10 2\na.jpg_2,\na.jpg_3,\na.jpg_4,\nb.jpg_1,\nb.jpg_2,\nb.jpg_3,5 2\nb.jpg_4,\n",
  );
});
