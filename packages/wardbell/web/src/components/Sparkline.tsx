/** A tiny inline SVG line of the last values (no axes; the number next to it says the scale). */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 120;
  const h = 32;
  if (values.length < 2) return <svg className="spark" width={w} height={h} role="img" aria-label={`${label}: not enough data yet`} />;
  const max = Math.max(...values, 1);
  const step = w / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label}, last ${values.length} samples, peak ${max.toFixed(1)}`}>
      <polyline points={`0,${h} ${points} ${w},${h}`} className="spark-fill" />
      <polyline points={points} className="spark-line" />
    </svg>
  );
}
