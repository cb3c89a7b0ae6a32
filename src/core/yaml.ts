// Where a value is in a YAML document, for errors that name the field and its line (STYLE habit 8).
import { isNode, type Document, type LineCounter } from 'yaml';

/** The 1-based line of the node at `path`; for a missing key, the line of its nearest parent that exists. */
export function lineOf(doc: Document, lc: LineCounter, path: readonly (string | number)[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return null;
}
