import { describe, expect, it } from 'vitest';
import { buildFigures } from './index.ts';
import { buildReport, markdownTablesToHtml, summaryTables } from './report.ts';
import { deleteField, loadFixture } from './testing.ts';

describe('report.html', () => {
  const html = buildReport(buildFigures([loadFixture()]));

  it('inlines vega, vega-lite and vega-embed and loads nothing from elsewhere', () => {
    expect(html).toContain('vegaEmbed');
    expect(html).toMatch(/vegaLite=\{\}/);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    // The one script end tag per script: nothing inlined closes its script early.
    expect(html.match(/<\/script>/g)).toHaveLength(4);
  });

  it('has a view for every chart and the summary tables, one per workload and interval', () => {
    for (const name of ['overhead', 'worst-case', 'realtime']) expect(html).toContain(`id="view-${name}"`);
    // zipf (seeds 1-3 in one row each) and periodic at 100 µs, and the other sweeps' groups.
    expect(html.match(/<table>/g)!.length).toBe(9);
  });
});

describe('the summary tables', () => {
  it('convert markdown tables, right-aligning numbers and escaping text', () => {
    const html = markdownTablesToHtml('### a <b>\n\n| s | n |\n| :--- | ---: |\n| x \\| y | 1 |\n');
    expect(html).toBe(
      [
        '<h3>a &#60;b&#62;</h3>',
        '<table>',
        '<thead><tr><th>s</th><th class="num">n</th></tr></thead>',
        '<tbody>',
        '<tr><td>x | y</td><td class="num">1</td></tr>',
        '</tbody></table>',
      ].join('\n'),
    );
  });

  it('fail naming a field they need', () => {
    const { runs } = loadFixture((doc) => deleteField(doc.runs[2]!, 'metrics.pause'));
    expect(() => summaryTables(runs)).toThrow(
      'runs[2].metrics.pause.maxCycles is missing (the summary tables need it)',
    );
  });
});
