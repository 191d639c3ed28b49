// AssemblyScript transform: packs the string literals of assembly/checks/ as UTF-8 into one data segment. Each
// literal becomes `__packedText(i)` (assembly/util/packed-text.ts, imported into the file), and that file's BYTES,
// OFFSETS and COUNT receive the bytes, the offsets and the number of distinct literals.
// Why: a literal costs a 20-byte header and two bytes per character. The checks' 855 distinct literals (the catalog's
// titles, rationales and remediations, messages, the bootstrap fingerprints: 32,860 characters) are 33 KB of UTF-8
// and 3.4 KB of offsets packed: the core's data section went from 114.7 KB to 63.0 KB, its code grew 7.8 KB (the
// calls), the module shrank 43.7 KB (issue #2: the core within 200 KiB).
// Literals stay as they are in decorators, import/export paths, and when they hold a lone surrogate (not UTF-8).
// Used by `npm run build:wasm` / `build:wasm:debug` on the command line (`--transform ./scripts/packed-text.js`):
// asc 0.28 resolves an asconfig.json transform path against a relative config directory into a bare module name
// ("scripts/packed-text.js"), which Node then cannot find. Without the transform the module is the same, only larger.
import { Transform } from "assemblyscript/dist/transform.js";
import { Node, NodeKind, LiteralKind, Parser, Tokenizer, Source, SourceKind } from "assemblyscript/dist/assemblyscript.js";

const PACKED = /^assembly\/checks\/[^/]+\.ts$/; // normalized paths of the sources whose literals are packed
const TABLE = "assembly/util/packed-text.ts";
const TABLE_IMPORT = "__packedText";

const encoder = new TextEncoder();

function isWellFormed(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

function isNode(v) {
  return v !== null && typeof v === "object" && typeof v.kind === "number" && v.range !== undefined;
}

function isPackable(node) {
  return node.kind === NodeKind.Literal && node.literalKind === LiteralKind.String && isWellFormed(node.value);
}

// Replaces, below `node`, every packable string literal by `replace(literal)`.
function walk(node, replace) {
  if (node.kind === NodeKind.Import || node.kind === NodeKind.Export) return; // module paths
  for (const key of Object.keys(node)) {
    if (key === "range" || key === "decorators") continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!isNode(v[i])) continue;
        if (isPackable(v[i])) v[i] = replace(v[i]);
        else walk(v[i], replace);
      }
    } else if (isNode(v)) {
      if (isPackable(v)) node[key] = replace(v);
      else walk(v, replace);
    }
  }
}

function parseExpression(text) {
  const e = new Parser().parseExpression(new Tokenizer(new Source(SourceKind.User, "packed-text.ts", text)));
  if (e == null) throw new Error(`packed-text: cannot parse ${text.slice(0, 80)}`);
  return e;
}

// Gives `node` and everything below it `range` (diagnostics and debug info then point at the literal).
function setRange(node, range) {
  node.range = range;
  for (const key of Object.keys(node)) {
    if (key === "range") continue;
    const v = node[key];
    if (Array.isArray(v)) v.forEach((x) => isNode(x) && setRange(x, range));
    else if (isNode(v)) setRange(v, range);
  }
}

function relativeImport(from, to) {
  const a = from.split("/").slice(0, -1);
  const b = to.replace(/\.ts$/, "").split("/");
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  const up = a.length - i;
  return (up === 0 ? "./" : "../".repeat(up)) + b.slice(i).join("/");
}

function setInitializer(source, name, text) {
  for (const st of source.statements) {
    if (st.kind !== NodeKind.Variable) continue;
    for (const d of st.declarations) {
      if (d.name.text === name) {
        d.initializer = parseExpression(text);
        setRange(d.initializer, d.range);
        return;
      }
    }
  }
  throw new Error(`packed-text: ${TABLE} has no const ${name}`);
}

export default class PackedText extends Transform {
  async afterParse(parser) {
    const ids = new Map(); // text -> index
    const texts = [];
    const touched = [];
    for (const source of parser.sources) {
      if (!PACKED.test(source.normalizedPath)) continue;
      let count = 0;
      const replace = (lit) => {
        let id = ids.get(lit.value);
        if (id === undefined) {
          id = texts.length;
          ids.set(lit.value, id);
          texts.push(lit.value);
        }
        count++;
        const call = parseExpression(`${TABLE_IMPORT}(${id})`);
        setRange(call, lit.range);
        return call;
      };
      for (const st of source.statements) walk(st, replace);
      if (count > 0) touched.push(source);
    }
    if (texts.length === 0) return;

    let table = parser.sources.find((s) => s.normalizedPath === TABLE);
    if (!table) {
      const text = await this.readFile(TABLE, this.baseDir);
      if (text == null) throw new Error(`packed-text: ${TABLE} not found`);
      parser.parseFile(text, TABLE, false);
      table = parser.sources.find((s) => s.normalizedPath === TABLE);
    }
    for (const source of touched) {
      const r = source.range;
      source.statements.unshift(Node.createImportStatement(
        [Node.createImportDeclaration(Node.createIdentifierExpression(TABLE_IMPORT, r, false), null, r)],
        Node.createStringLiteralExpression(relativeImport(source.normalizedPath, TABLE), r), r));
    }

    const chunks = texts.map((t) => encoder.encode(t));
    const offsets = [0];
    let total = 0;
    for (const c of chunks) offsets.push(total += c.length);
    const bytes = new Uint8Array(total);
    chunks.forEach((c, i) => bytes.set(c, offsets[i]));
    setInitializer(table, "BYTES", `memory.data<u8>([${Array.from(bytes).join(",")}])`);
    setInitializer(table, "OFFSETS", `memory.data<u32>([${offsets.join(",")}])`);
    setInitializer(table, "COUNT", String(texts.length));
  }
}
