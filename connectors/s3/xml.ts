/**
 * A small XML parser for S3's response bodies: elements, attributes, text, CDATA and the
 * predefined and numeric entities. Namespace prefixes are dropped; DOCTYPEs are refused (no
 * entity expansion).
 * @module
 */

/** One element: its local name, attributes, child elements and its own text, entities decoded. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's direct text (not its children's), untrimmed. */
  text: string;
}

/**
 * Parses a document and returns its root element; throws on malformed input.
 *
 * @example
 * ```ts
 * const root = parseXml("<A><B>x &amp; y</B></A>");
 * childText(root, "B"); // "x & y"
 * ```
 */
export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`malformed XML: ${what} at offset ${at}`);
  };
  while (at < source.length) {
    const open = source.indexOf("<", at);
    const textEnd = open === -1 ? source.length : open;
    if (textEnd > at) {
      const text = source.slice(at, textEnd);
      if (stack.length > 0) stack[stack.length - 1].text += decodeEntities(text);
      else if (text.trim() !== "") fail("text outside the root element");
      at = textEnd;
      continue;
    }
    if (source.startsWith("<?", at)) {
      at = endOf(source, "?>", at) ?? fail("unterminated processing instruction");
    } else if (source.startsWith("<!--", at)) {
      at = endOf(source, "-->", at) ?? fail("unterminated comment");
    } else if (source.startsWith("<![CDATA[", at)) {
      const end = source.indexOf("]]>", at);
      if (end === -1 || stack.length === 0) fail("misplaced CDATA section");
      stack[stack.length - 1].text += source.slice(at + 9, end);
      at = end + 3;
    } else if (source.startsWith("<!", at)) {
      fail("DOCTYPE or declaration (not supported)");
    } else if (source.startsWith("</", at)) {
      const end = source.indexOf(">", at);
      if (end === -1) fail("unterminated end tag");
      const name = localName(source.slice(at + 2, end).trim());
      const element = stack.pop();
      if (!element || element.name !== name) fail(`unexpected </${name}>`);
      at = end + 1;
    } else {
      const end = tagEnd(source, at) ?? fail("unterminated start tag");
      const selfClosing = source[end - 1] === "/";
      const body = source.slice(at + 1, selfClosing ? end - 1 : end);
      const nameMatch = body.match(/^[^\s/>]+/) ?? fail("start tag without a name");
      const element: XmlElement = {
        name: localName(nameMatch[0]),
        attributes: parseAttributes(body.slice(nameMatch[0].length)),
        children: [],
        text: "",
      };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) fail("a second root element");
      else root = element;
      if (!selfClosing) stack.push(element);
      at = end + 1;
    }
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1].name}>`);
  return root ?? fail("no root element");
}

/** The first child element named `name`, or undefined. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

/** Every child element named `name`, in document order. */
export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((candidate) => candidate.name === name);
}

/** The text of the first child element named `name`, or undefined when there is none. */
export function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text;
}

function endOf(source: string, terminator: string, from: number): number | undefined {
  const end = source.indexOf(terminator, from);
  return end === -1 ? undefined : end + terminator.length;
}

/** Index of the `>` closing the start tag at `from`, skipping quoted attribute values. */
function tagEnd(source: string, from: number): number | undefined {
  let quote = "";
  for (let index = from + 1; index < source.length; index++) {
    const char = source[index];
    if (quote) {
      if (char === quote) quote = "";
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ">") {
      return index;
    }
  }
  return undefined;
}

function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes[match[1]] = decodeEntities(match[2] ?? match[3]);
  }
  return attributes;
}

function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, entity: string) => {
    if (!entity.startsWith("#")) return NAMED_ENTITIES[entity] ?? whole;
    const code = entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
