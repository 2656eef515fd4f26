// A small SVG line chart for the lab page: no library, so the page works offline from the jar.
'use strict';

const Charts = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#2f6fdf', '#e8710a', '#1a7f37', '#c62828', '#8e44ad', '#00838f', '#b7950b', '#6d4c41',
    '#d81b60', '#546e7a'];

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Round tick values (1, 2, 5 times a power of ten) from 0 up to at least max. */
  function ticks(max, count) {
    if (!(max > 0)) return [0, 1];
    const raw = max / count;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw);
    const values = [];
    for (let v = 0; v <= max + step * 0.001; v += step) values.push(v);
    if (values[values.length - 1] < max) values.push(values[values.length - 1] + step);
    return values;
  }

  /**
   * Draws series ({name, color?, points: [[x, y], ...]}) into the svg, x being seconds of the run; a series of
   * one point shows as a dot. Redrawn whole on every update: a few hundred nodes at most.
   */
  function line(svg, series, options = {}) {
    const width = svg.clientWidth || 600;
    const height = svg.clientHeight || 240;
    const pad = { left: 48, right: 12, top: 12, bottom: 46 };
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.replaceChildren();
    const all = series.flatMap(s => s.points);
    if (all.length === 0) {
      svg.appendChild(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, options.empty || 'no data yet'));
      return;
    }
    const xMin = Math.min(...all.map(p => p[0]));
    const xMax = Math.max(xMin + 1, ...all.map(p => p[0]));
    const yTicks = ticks(Math.max(...all.map(p => p[1])), 4);
    const yMax = yTicks[yTicks.length - 1] || 1;
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const px = x => pad.left + (x - xMin) / (xMax - xMin) * plotW;
    const py = y => pad.top + plotH - y / yMax * plotH;
    yTicks.forEach(v => {
      svg.appendChild(el('line', { class: 'grid', x1: pad.left, x2: width - pad.right, y1: py(v), y2: py(v) }));
      svg.appendChild(el('text', { x: pad.left - 6, y: py(v) + 4, 'text-anchor': 'end' }, format(v)));
    });
    const xStep = Math.max(1, Math.ceil((xMax - xMin) / 10));
    for (let x = xMin; x <= xMax; x += xStep) {
      svg.appendChild(el('text', { x: px(x), y: height - pad.bottom + 15, 'text-anchor': 'middle' }, `${x}s`));
    }
    svg.appendChild(el('line', { class: 'axis', x1: pad.left, x2: width - pad.right, y1: py(0), y2: py(0) }));
    let legendX = pad.left;
    series.forEach((s, i) => {
      const color = s.color || PALETTE[i % PALETTE.length];
      const points = s.points.map(p => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
      svg.appendChild(el('polyline', { points, fill: 'none', stroke: color, 'stroke-width': 2 }));
      s.points.forEach(p => svg.appendChild(el('circle', { cx: px(p[0]), cy: py(p[1]), r: 3, fill: color })));
      const y = height - 10;
      svg.appendChild(el('rect', { x: legendX, y: y - 9, width: 10, height: 10, fill: color }));
      const label = el('text', { x: legendX + 14, y }, s.name);
      svg.appendChild(label);
      legendX += 24 + 7 * s.name.length;
    });
  }

  function format(v) {
    return v >= 10000 ? `${Math.round(v / 1000)}k` : String(Math.round(v * 100) / 100);
  }

  return { line, PALETTE };
})();
