import { inflateSync } from 'node:zlib';

/**
 * The text drawn on each page of a PDF that Chromium wrote (page.pdf), in page order, without
 * installing a PDF reader: Chromium (Skia) writes every object uncompressed but its streams
 * (FlateDecode), every font as Type0 with a ToUnicode map, and text as hex glyph strings shown
 * with Tj or TJ. Enough to read what a page says; not a reader of PDFs in general. A glyph the
 * map does not name (a character no installed font has) reads as U+FFFD.
 */
export function pdfPageTexts(pdf: Buffer): string[] {
  const source = pdf.toString('latin1');
  const objects = new Map<string, string>();
  for (const match of source.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) objects.set(match[1], match[2]);
  const dictionary = (id: string) => (objects.get(id) ?? '').split(/\bstream\r?\n/)[0];
  const stream = (id: string) => {
    const body = objects.get(id) ?? '';
    const start = body.search(/\bstream\r?\n/);
    if (start < 0) throw new Error(`PDF object ${id} holds no stream`);
    const data = Buffer.from(body.slice(body.indexOf('\n', start) + 1, body.lastIndexOf('endstream')).replace(/\r?\n$/, ''), 'latin1');
    return (/\/FlateDecode/.test(dictionary(id)) ? inflateSync(data) : data).toString('latin1');
  };
  const reference = (dict: string, key: string) => new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1];

  /** Glyph (as 4 hex digits) to text, from a ToUnicode CMap's bfchar and bfrange entries. */
  const toUnicode = (cmap: string) => {
    const glyphs = new Map<number, string>();
    const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
    for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const [, glyph, text] of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) glyphs.set(parseInt(glyph, 16), utf16(text));
    }
    for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const [, first, last, text] of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
        const start = parseInt(text, 16);
        for (let glyph = parseInt(first, 16); glyph <= parseInt(last, 16); glyph += 1) glyphs.set(glyph, String.fromCodePoint(start + glyph - parseInt(first, 16)));
      }
    }
    return glyphs;
  };

  const pages = reference(dictionary(reference(source, 'Root')!), 'Pages')!;
  const kids = /\/Kids \[([^\]]*)\]/.exec(dictionary(pages))![1].match(/\d+(?= 0 R)/g) ?? [];
  return kids.map((page) => {
    const fonts = new Map<string, Map<number, string>>();
    for (const [, name, id] of (/\/Font <<([^>]*)>>/.exec(dictionary(page))?.[1] ?? '').matchAll(/\/(\w+) (\d+) 0 R/g)) {
      const cmap = reference(dictionary(id), 'ToUnicode');
      fonts.set(name, cmap ? toUnicode(stream(cmap)) : new Map());
    }
    let font = new Map<number, string>();
    let text = '';
    // A font chosen (/F4 12 Tf), or hex glyph strings shown (<0012003A> Tj, [<0012> -3 <003A>] TJ).
    for (const [, chosen, shown] of stream(reference(dictionary(page), 'Contents')!).matchAll(/\/(\w+) [\d.]+ Tf|(\[[^\]]*\]\s*TJ|<[0-9A-Fa-f]*>\s*Tj)/g)) {
      if (chosen) font = fonts.get(chosen) ?? new Map();
      for (const [, hex] of (shown ?? '').matchAll(/<([0-9A-Fa-f]*)>/g)) {
        for (let at = 0; at < hex.length; at += 4) text += font.get(parseInt(hex.slice(at, at + 4), 16)) ?? '\ufffd';
      }
    }
    return text;
  });
}
