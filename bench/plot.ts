/** A dependency-free SVG bar chart: req/s of each scenario next to the bare-Fastify ceiling, per scale. */

interface PlotScale {
  scale: number;
  ceilings: { bare: { requestsPerSecond: number }; sql: { requestsPerSecond: number } };
  scenarios: { name: string; requestsPerSecond: number }[];
}

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderBarChart(results: PlotScale[]): string {
  const rows = results.flatMap((r) => [
    { label: `${r.scale}x ceiling: bare Fastify`, value: r.ceilings.bare.requestsPerSecond, ceiling: true },
    { label: `${r.scale}x ceiling: raw SQL`, value: r.ceilings.sql.requestsPerSecond, ceiling: true },
    ...r.scenarios.map((s) => ({
      label: `${r.scale}x ${s.name}`,
      value: s.requestsPerSecond,
      ceiling: false,
    })),
  ]);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const barHeight = 22;
  const labelWidth = 260;
  const chartWidth = 520;
  const height = rows.length * (barHeight + 6) + 50;
  const bars = rows
    .map((row, i) => {
      const y = 40 + i * (barHeight + 6);
      const width = Math.max(1, Math.round((row.value / max) * chartWidth));
      const fill = row.ceiling ? '#9aa5b1' : '#2f6fdf';
      return [
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="12">${escapeXml(row.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${width}" height="${barHeight}" fill="${fill}"/>`,
        `<text x="${labelWidth + width + 6}" y="${y + 15}" font-size="12">${row.value} req/s</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + chartWidth + 120}" height="${height}" font-family="sans-serif">
<text x="10" y="22" font-size="15" font-weight="bold">Requests per second: scenarios (blue) vs ceilings (grey)</text>
${bars}
</svg>
`;
}
