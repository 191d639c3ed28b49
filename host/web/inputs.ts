// The snapshot's inputs: the paste box plus files that were dropped (files or whole folders, read recursively through
// webkitGetAsEntry) or opened. Files are read as text here; parsing happens in the worker.
import { MAX_FILE_BYTES } from "../k8s/types.js";
import { byId, h } from "./dom.js";
import type { InputFile } from "./protocol.js";

export const PASTE_NAME = "pasted.yaml";
const MANIFEST = /\.(ya?ml|json)$/i;
/**
 * Pastes larger than this are kept out of the text box and listed as a file (pasted-N.yaml): a text box holding
 * megabytes makes every later repaint and hit test of the page take hundreds of milliseconds.
 */
export const LARGE_PASTE = 512 * 1024;

interface Source {
  name: string;
  text: string;
  size: number;
  /** set when the file could not be read (too large, unreadable): it is listed but not analysed */
  error?: string;
}

/** Per-file counts from the last analysis, shown in the file list. */
export interface FileCounts {
  objects: number;
  errors: number;
}

// ---- reading dropped entries (FileSystem API, as Chromium, Firefox and Safari expose it on drop) --------------

interface FsEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
}
interface FsFileEntry extends FsEntry {
  file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
interface FsDirectoryEntry extends FsEntry {
  createReader(): { readEntries(ok: (entries: FsEntry[]) => void, fail: (e: unknown) => void): void };
}

function entryFile(e: FsFileEntry): Promise<File> {
  return new Promise((ok, fail) => e.file(ok, fail));
}

async function directoryEntries(dir: FsDirectoryEntry): Promise<FsEntry[]> {
  const reader = dir.createReader();
  const all: FsEntry[] = [];
  // why: readEntries returns at most 100 entries per call (Chromium); an empty batch means the end
  for (;;) {
    const batch = await new Promise<FsEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Files below an entry: every file of a dropped file, manifest files only (by extension) inside folders. */
async function walk(entry: FsEntry, inFolder: boolean, out: { name: string; file: File }[]): Promise<void> {
  if (entry.isFile) {
    if (inFolder && !MANIFEST.test(entry.name)) return;
    out.push({ name: entry.fullPath.replace(/^\/+/, ""), file: await entryFile(entry as FsFileEntry) });
  } else if (entry.isDirectory) {
    const children = await directoryEntries(entry as FsDirectoryEntry);
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of children) await walk(c, true, out);
  }
}

/** The files of a drop: folders recursed through webkitGetAsEntry where available, plain files otherwise. */
export async function droppedFiles(dt: DataTransfer): Promise<{ name: string; file: File }[]> {
  const out: { name: string; file: File }[] = [];
  const entries: FsEntry[] = [];
  const loose: File[] = [];
  // why: items must be read synchronously, during the drop event; the entries stay usable afterwards
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== "file") continue;
    const entry = (item as DataTransferItem & { webkitGetAsEntry?: () => FsEntry | null }).webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dt.files ?? []));
  for (const e of entries) await walk(e, false, out);
  for (const f of loose) out.push({ name: f.name, file: f });
  return out;
}

// ---- the input list -------------------------------------------------------------------------------------------

export class Inputs {
  private readonly files = new Map<string, Source>();
  private counts = new Map<string, FileCounts>();
  private readonly list = byId<HTMLUListElement>("file-list");
  readonly paste = byId<HTMLTextAreaElement>("paste");

  constructor(private readonly changed: () => void) {
    this.render();
  }

  private pastes = 0;

  /** Keeps a large paste as a listed input of its own instead of text in the box. Returns its name. */
  addPaste(text: string): string {
    const name = `pasted-${++this.pastes}.yaml`;
    this.files.set(name, { name, text, size: text.length });
    this.render();
    this.changed();
    return name;
  }

  /** Adds (or replaces, by name) files; folder files keep their relative path as name. */
  async add(files: { name: string; file: File }[]): Promise<void> {
    for (const { name, file } of files) {
      const src: Source = { name, text: "", size: file.size };
      if (file.size > MAX_FILE_BYTES) src.error = `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; not read`;
      else {
        try {
          src.text = await file.text();
        } catch (e) {
          src.error = `cannot read: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
      this.files.set(name === PASTE_NAME ? `${name} (file)` : name, src);
    }
    this.render();
    this.changed();
  }

  remove(name: string): void {
    this.files.delete(name);
    this.render();
    this.changed();
  }

  clear(): void {
    this.files.clear();
    this.paste.value = "";
    this.counts.clear();
    this.render();
  }

  /** What the worker analyses: the paste (when not blank), then the readable files in the order they came. */
  snapshot(): InputFile[] {
    const out: InputFile[] = [];
    if (this.paste.value.trim() !== "") out.push({ name: PASTE_NAME, text: this.paste.value });
    for (const [name, s] of this.files) if (!s.error) out.push({ name, text: s.text });
    return out;
  }

  isEmpty(): boolean {
    return this.snapshot().length === 0;
  }

  setCounts(counts: Map<string, FileCounts>): void {
    this.counts = counts;
    this.render();
  }

  private render(): void {
    const items: HTMLElement[] = [];
    for (const [name, s] of this.files) {
      const c = this.counts.get(name);
      const detail = s.error
        ? h("span", { class: "file-error" }, s.error)
        : h("span", { class: "file-meta" }, `${formatBytes(s.size)}${c ? ` · ${c.objects} object${c.objects === 1 ? "" : "s"}` : ""}` +
          `${c && c.errors > 0 ? ` · ${c.errors} error${c.errors === 1 ? "" : "s"}` : ""}`);
      items.push(h("li", {},
        h("span", { class: "file-name" }, name), " ", detail, " ",
        h("button", { type: "button", class: "small", "aria-label": `Remove ${name}`, onclick: () => this.remove(name) }, "Remove")));
    }
    if (items.length === 0) items.push(h("li", { class: "hint" }, "No files yet."));
    this.list.replaceChildren(...items);
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Wires the drop zone, the two file pickers and whole-page drops to `inputs`. */
export function wireInputs(inputs: Inputs): void {
  const zone = byId("dropzone");
  const fileInput = byId<HTMLInputElement>("file-input");
  const folderInput = byId<HTMLInputElement>("folder-input");
  byId("open-files").addEventListener("click", () => fileInput.click());
  byId("open-folder").addEventListener("click", () => folderInput.click());
  const fromInput = (input: HTMLInputElement, folder: boolean) => async () => {
    const files = Array.from(input.files ?? [])
      .filter((f) => !folder || MANIFEST.test(f.name))
      .map((f) => ({ name: (folder && f.webkitRelativePath) || f.name, file: f }));
    input.value = "";
    await inputs.add(files);
  };
  fileInput.addEventListener("change", fromInput(fileInput, false));
  folderInput.addEventListener("change", fromInput(folderInput, true));
  let depth = 0;
  const setActive = (on: boolean) => zone.classList.toggle("active", on);
  // why: drops anywhere on the page count, so a near miss does not make the browser open the file instead
  document.addEventListener("dragenter", (e) => {
    if (!e.dataTransfer?.types.includes("Files")) return;
    depth++;
    setActive(true);
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) setActive(false);
  });
  document.addEventListener("dragover", (e) => {
    if (!e.dataTransfer?.types.includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", (e) => {
    if (!e.dataTransfer?.types.includes("Files")) return; // text dropped into the paste box stays text
    e.preventDefault();
    depth = 0;
    setActive(false);
    void droppedFiles(e.dataTransfer).then((files) => inputs.add(files));
  });
}
