// SUMO's XML files as plain elements: the well-formedness check, the root element, and the attribute
// and number lookups the network and route readers share.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One XML element: its tag, its attributes as written, its child elements in file order. */
export interface XmlElement {
  tag: string;
  attributes: Readonly<Record<string, string | undefined>>;
  children: XmlElement[];
}

/** What the reader says when the text is not XML, or its root is not one it reads. */
export interface RootProblems {
  /** `position` is `line 4, column 1` (or `line 4`); `detail` is the parser's message. */
  notXml(position: string, detail: string): void;
  /** `found` names the root elements found, `document` when there are none. */
  wrongRoot(found: string): void;
}

/**
 * The root element of a SUMO file when the text is well-formed XML with one root whose tag is in
 * `rootTags`; otherwise undefined, after telling `problems` which of the two went wrong.
 *
 * @example
 * readXmlRoot('<net><edge id="E1"/></net>', ['net'], problems);
 * // { tag: 'net', attributes: {}, children: [{ tag: 'edge', attributes: { id: 'E1' }, children: [] }] }
 */
export function readXmlRoot(
  xml: string,
  rootTags: readonly string[],
  problems: RootProblems,
): XmlElement | undefined {
  // The parser accepts broken XML silently, so the validator decides whether the text is XML.
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    problems.notXml(col === undefined ? `line ${line}` : `line ${line}, column ${col}`, msg);
    return undefined;
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
  });
  const roots = toElements(parser.parse(xml) as unknown);
  const root = roots[0];
  if (roots.length === 1 && root !== undefined && rootTags.includes(root.tag)) return root;
  problems.wrongRoot(roots.map((element) => element.tag).join(', ') || 'document');
  return undefined;
}

/** fast-xml-parser's ordered output (`[{ tag: [children], ':@': {attributes} }]`) as elements. */
function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((node: unknown): XmlElement[] => {
    if (typeof node !== 'object' || node === null) return [];
    const entries = node as Record<string, unknown>;
    // ':@' holds the attributes, '#text' and '#comment' are not elements, '?xml' is the prolog.
    const tag = Object.keys(entries).find((key) => !/^[:#?]/.test(key));
    if (tag === undefined) return [];
    return [{ tag, attributes: toAttributes(entries[':@']), children: toElements(entries[tag]) }];
  });
}

function toAttributes(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([name, text]) => [name, String(text)]));
}

/**
 * The element as messages name it: `vehicle id="v1"`; without an id, `fallback` or its tag.
 *
 * @example
 * describe({ tag: 'edge', attributes: {}, children: [] }, 'edge #3'); // => 'edge #3'
 */
export function describe(element: XmlElement, fallback = element.tag): string {
  const id = element.attributes.id;
  return id === undefined ? fallback : `${element.tag} id="${id}"`;
}

export function childrenTagged(element: XmlElement, tag: string): XmlElement[] {
  return element.children.filter((child) => child.tag === tag);
}

/** A space-separated id list (`edges`, `vTypes`, `crossingEdges`, `allow`) as ids. */
export function splitIds(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((id) => id !== '');
}

/** What an attribute's number must be, and how a message says so. */
export interface NumberRule {
  test(value: number): boolean;
  requirement: string;
}

export const COUNT: NumberRule = {
  test: (value) => Number.isInteger(value) && value >= 0,
  requirement: 'a whole number of 0 or more',
};

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number as SUMO writes it (`13.89`, `-4.8`, `1e3`); undefined for anything else. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * An attribute's text as a finite number obeying `rule`: undefined when absent, or when bad, after
 * calling `onBad` with the text.
 *
 * @example
 * checkedNumber('2', COUNT, report); // => 2
 * checkedNumber('2.5', COUNT, report); // => undefined, report('2.5') called
 */
export function checkedNumber(
  text: string | undefined,
  rule: NumberRule,
  onBad: (text: string) => void,
  parse: (text: string) => number | undefined = parseDecimal,
): number | undefined {
  if (text === undefined) return undefined;
  const value = parse(text);
  if (value !== undefined && Number.isFinite(value) && rule.test(value)) return value;
  onBad(text);
  return undefined;
}
