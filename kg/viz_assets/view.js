/* kg viz: a self-contained canvas view of a kg graph (no library, no network).
 *
 * Reads the JSON data block #kg-data: nodes with a precomputed layout (x, y), colour,
 * size; edges with their evidence sentences; articles. Draws on one <canvas>; wheel or the
 * buttons zoom, dragging pans, a click selects a node or an edge and shows its relations and
 * evidence in the side panel; the search box finds nodes by name or alias; the legend hides
 * or shows a type. window.kgViz exposes a small API (used by the browser test).
 * All text from the data goes through textContent, never innerHTML.
 */
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('kg-data').textContent);
  var nodes = data.nodes;
  var edges = data.edges;
  var articles = data.articles || {};
  var byId = {};
  nodes.forEach(function (n, i) { n.index = i; n.out = []; n.inc = []; byId[n.id] = n; });
  edges.forEach(function (e, i) {
    e.index = i;
    e.src = nodes[e.s];
    e.tgt = nodes[e.t];
    e.src.out.push(e);
    e.tgt.inc.push(e);
  });
  var edgeById = {};
  edges.forEach(function (e) { edgeById[e.id] = e; });

  var canvas = document.getElementById('kg-canvas');
  var ctx = canvas.getContext('2d');
  var panel = document.getElementById('kg-panel-body');
  var searchBox = document.getElementById('kg-search');
  var results = document.getElementById('kg-results');
  var legend = document.getElementById('kg-legend');

  var view = {scale: 1, tx: 0, ty: 0};
  var hiddenTypes = {}; // types the legend hides; the page starts with data.hidden (quotations) hidden
  (data.hidden || []).forEach(function (t) { hiddenTypes[t] = true; });
  var selected = null; // {kind: 'node'|'edge', item}
  var hover = null;
  var matches = [];
  var width = 0;
  var height = 0;
  var dpr = 1;

  // ------------------------------------------------------------ geometry
  function sx(n) { return n.x * view.scale + view.tx; }
  function sy(n) { return -n.y * view.scale + view.ty; }
  function radius(n) { return Math.max(3, n.size * view.scale * 0.8); }
  var hideOpen = false; // the legend's "open relation" item hides the edges with vocabulary 'open'
  function visible(n) { return !hiddenTypes[n.type]; }
  function edgeVisible(e) { return visible(e.src) && visible(e.tgt) && !(hideOpen && e.vocabulary === 'open'); }

  function resize() {
    var rect = canvas.getBoundingClientRect();
    dpr = window.devicePixelRatio || 1;
    width = Math.max(1, rect.width);
    height = Math.max(1, rect.height);
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }

  function fit(items) {
    var list = (items && items.length ? items : nodes).filter(visible);
    if (!list.length) { view.scale = 1; view.tx = width / 2; view.ty = height / 2; return; }
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    list.forEach(function (n) {
      minX = Math.min(minX, n.x - n.size); maxX = Math.max(maxX, n.x + n.size);
      minY = Math.min(minY, n.y - n.size); maxY = Math.max(maxY, n.y + n.size);
    });
    var pad = 40;
    var w = Math.max(maxX - minX, 1), h = Math.max(maxY - minY, 1);
    // the legend covers the bottom-left corner: the graph goes right of it or above it,
    // whichever lets it be drawn larger (or over the whole canvas when the legend is small)
    var lb = legendBox();
    var right = width - Math.min(80, width / 10); // room for the labels, written right of their nodes
    var areas = [[0, 0, right, height], [Math.max(0, lb[2]), 0, right, height], [0, 0, right, Math.min(height, lb[1])]];
    var best = null;
    areas.forEach(function (a, i) {
      var s = Math.min((a[2] - a[0] - 2 * pad) / w, (a[3] - a[1] - 2 * pad) / h);
      if (i === 0) { // the whole canvas only when the legend then covers no node
        var tx = (a[0] + a[2]) / 2 - ((minX + maxX) / 2) * s, ty = (a[1] + a[3]) / 2 + ((minY + maxY) / 2) * s;
        var covered = list.some(function (n) {
          var x = n.x * s + tx, y = -n.y * s + ty;
          return x >= lb[0] && x <= lb[2] && y >= lb[1] && y <= lb[3];
        });
        if (covered) return;
      }
      if (s > 0 && (!best || s > best.s)) best = {s: s, a: a};
    });
    if (!best) best = {s: Math.min((width - 2 * pad) / w, (height - 2 * pad) / h), a: areas[0]};
    view.scale = best.s;
    if (list.length === 1) view.scale = Math.min(view.scale, 1.5);
    view.tx = (best.a[0] + best.a[2]) / 2 - ((minX + maxX) / 2) * view.scale;
    view.ty = (best.a[1] + best.a[3]) / 2 + ((minY + maxY) / 2) * view.scale;
  }

  function zoomAt(px, py, factor) {
    var s = Math.min(200, Math.max(0.005, view.scale * factor));
    factor = s / view.scale;
    view.tx = px - (px - view.tx) * factor;
    view.ty = py - (py - view.ty) * factor;
    view.scale = s;
    draw();
  }

  function centerOn(n) {
    view.scale = Math.max(view.scale, 0.9);
    view.tx = width / 2 - n.x * view.scale;
    view.ty = height / 2 + n.y * view.scale;
  }

  // ------------------------------------------------------------ drawing
  function neighbourhood() {
    var set = {};
    if (selected && selected.kind === 'node') {
      var n = selected.item;
      set[n.index] = true;
      n.out.forEach(function (e) { set[e.t] = true; });
      n.inc.forEach(function (e) { set[e.s] = true; });
    } else if (selected && selected.kind === 'edge') {
      set[selected.item.s] = true;
      set[selected.item.t] = true;
    }
    return set;
  }

  function isSelectedEdge(e) {
    if (!selected) return false;
    if (selected.kind === 'edge') return selected.item === e;
    return e.src === selected.item || e.tgt === selected.item;
  }

  function arrow(x1, y1, x2, y2, r, size) {
    var a = Math.atan2(y2 - y1, x2 - x1);
    var tx = x2 - Math.cos(a) * r, ty = y2 - Math.sin(a) * r;
    ctx.beginPath();
    ctx.moveTo(tx, ty);
    ctx.lineTo(tx - size * Math.cos(a - 0.4), ty - size * Math.sin(a - 0.4));
    ctx.lineTo(tx - size * Math.cos(a + 0.4), ty - size * Math.sin(a + 0.4));
    ctx.closePath();
    ctx.fill();
  }

  function drawEdge(e, strong) {
    var x1 = sx(e.src), y1 = sy(e.src), x2 = sx(e.tgt), y2 = sy(e.tgt);
    ctx.strokeStyle = e.color;
    ctx.fillStyle = e.color;
    ctx.lineWidth = (strong ? 2.2 : 1) * Math.min(3, 0.6 + Math.sqrt(e.weight) * 0.5);
    if (e.polarity === 'negative') ctx.setLineDash([6, 4]);
    else if (e.vocabulary === 'open') ctx.setLineDash([2, 3]);
    else ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.stroke();
    ctx.setLineDash([]);
    if (data.directed && (strong || view.scale > 0.5)) arrow(x1, y1, x2, y2, radius(e.tgt) + 1, strong ? 9 : 6);
  }

  function draw() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    var focus = neighbourhood();
    var focused = selected !== null;
    var matchSet = {};
    matches.forEach(function (n) { matchSet[n.index] = true; });

    ctx.globalAlpha = focused ? 0.12 : 0.55;
    edges.forEach(function (e) { if (edgeVisible(e) && !isSelectedEdge(e)) drawEdge(e, false); });
    ctx.globalAlpha = 1;
    edges.forEach(function (e) { if (edgeVisible(e) && isSelectedEdge(e)) drawEdge(e, true); });

    var order = nodes.filter(visible).sort(function (a, b) { return a.size - b.size; });
    order.forEach(function (n) {
      var dim = focused && !focus[n.index];
      ctx.globalAlpha = dim ? 0.2 : 1;
      ctx.beginPath();
      ctx.arc(sx(n), sy(n), radius(n), 0, 2 * Math.PI);
      ctx.fillStyle = n.color;
      ctx.fill();
      ctx.lineWidth = (selected && selected.item === n) || matchSet[n.index] ? 3 : 1;
      ctx.strokeStyle = (selected && selected.item === n) ? '#111111' : (matchSet[n.index] ? '#ff6a00' : '#ffffff');
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
    drawLabels(order, focus, matchSet);
    if (selected && selected.kind === 'edge') drawEdgeLabel(selected.item);
  }

  function drawLabels(order, focus, matchSet) {
    // largest first; a label is skipped where it would overlap one already drawn or the legend
    var placed = [legendBox()];
    var fontSize = 12;
    ctx.font = fontSize + 'px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    ctx.textBaseline = 'middle';
    var list = order.slice().reverse();
    // always labelled: the selection, the search matches, the node under the mouse; then, where
    // there is room, the selection's neighbours (or, with nothing selected, the other nodes)
    var sel = selected ? (selected.kind === 'node' ? [selected.item] : [selected.item.src, selected.item.tgt]) : [];
    var must = function (n) { return sel.indexOf(n) >= 0 || matchSet[n.index] || n === hover; };
    var forcedList = list.filter(must);
    var rest = list.filter(function (n) {
      if (must(n)) return false;
      if (selected) return !!focus[n.index];
      return n.type !== 'Quotation';
    });
    var forced = forcedList.length;
    forcedList.concat(rest).forEach(function (n, i) {
      if (i >= forced + 400) return;
      var text = n.short;
      var w = ctx.measureText(text).width;
      var r = radius(n), cx = sx(n), cy = sy(n);
      if (cx - r - w > width || cx + r + w < 0 || cy < -fontSize - r || cy > height + fontSize + r) return;
      // right, left, above, below: the first place free of other labels
      var spots = [[cx + r + 3, cy], [cx - r - 3 - w, cy], [cx - w / 2, cy - r - fontSize / 2 - 2],
                   [cx - w / 2, cy + r + fontSize / 2 + 2]];
      var x, y, box, ok = false;
      for (var k = 0; k < spots.length && !ok; k++) {
        x = spots[k][0]; y = spots[k][1];
        box = [x - 2, y - fontSize / 2 - 2, x + w + 2, y + fontSize / 2 + 2];
        ok = !placed.some(overlaps(box));
      }
      if (!ok) {
        if (i >= forced) return;
        x = spots[0][0]; y = spots[0][1];
        box = [x - 2, y - fontSize / 2 - 2, x + w + 2, y + fontSize / 2 + 2];
      }
      placed.push(box);
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.strokeText(text, x, y);
      ctx.fillStyle = '#1a1a1a';
      ctx.fillText(text, x, y);
    });
  }

  function legendBox() {
    // the legend's rectangle in canvas coordinates: labels are not drawn under it
    var c = canvas.getBoundingClientRect(), l = legend.getBoundingClientRect();
    return [l.left - c.left - 4, l.top - c.top - 4, l.right - c.left + 4, l.bottom - c.top + 4];
  }

  function overlaps(box) {
    return function (b) { return box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]; };
  }

  function drawEdgeLabel(e) {
    var x = (sx(e.src) + sx(e.tgt)) / 2, y = (sy(e.src) + sy(e.tgt)) / 2;
    var text = (e.polarity === 'negative' ? 'not ' : '') + e.label;
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.lineWidth = 4;
    ctx.strokeStyle = '#ffffff';
    ctx.strokeText(text, x, y - 8);
    ctx.fillStyle = e.polarity === 'negative' ? '#b00000' : '#333333';
    ctx.fillText(text, x, y - 8);
    ctx.textAlign = 'start';
  }

  // ------------------------------------------------------------ hit testing
  function nodeAt(px, py) {
    var best = null, bestD = Infinity;
    nodes.forEach(function (n) {
      if (!visible(n)) return;
      var d = Math.hypot(sx(n) - px, sy(n) - py);
      if (d <= radius(n) + 3 && d < bestD) { best = n; bestD = d; }
    });
    return best;
  }

  function edgeAt(px, py) {
    var best = null, bestD = 5;
    edges.forEach(function (e) {
      if (!edgeVisible(e)) return;
      var x1 = sx(e.src), y1 = sy(e.src), x2 = sx(e.tgt), y2 = sy(e.tgt);
      var dx = x2 - x1, dy = y2 - y1, len2 = dx * dx + dy * dy;
      var t = len2 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2)) : 0;
      var d = Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
      if (d < bestD) { best = e; bestD = d; }
    });
    return best;
  }

  // ------------------------------------------------------------ side panel
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) x.className = cls;
    if (text !== undefined && text !== null) x.textContent = text;
    return x;
  }

  function swatch(color) {
    var s = el('span', 'kg-swatch');
    s.style.background = color;
    return s;
  }

  function nodeLink(n) {
    var a = el('a', 'kg-node-link', n.label);
    a.href = '#';
    a.addEventListener('click', function (ev) { ev.preventDefault(); select('node', n, true); });
    return a;
  }

  function articleLine(doc) {
    var a = articles[doc] || {};
    var parts = [a.title || doc];
    if (a.date) parts.push(a.date);
    if (a.title) parts.push(doc);
    return parts.join(' · ');
  }

  function evidenceList(e, limit) {
    var box = el('div', 'kg-evidence');
    var ev = e.evidence || [];
    ev.slice(0, limit).forEach(function (pair) {
      var q = el('blockquote', 'kg-sentence', pair[1]);
      box.appendChild(q);
      box.appendChild(el('div', 'kg-source', articleLine(pair[0])));
    });
    var more = (e.evidence_total || ev.length) - Math.min(limit, ev.length);
    if (more > 0) box.appendChild(el('div', 'kg-more', '+ ' + more + ' more sentence' + (more > 1 ? 's' : '')));
    if (!ev.length) box.appendChild(el('div', 'kg-more', 'no evidence sentence recorded'));
    return box;
  }

  function relationText(e) {
    var t = (e.polarity === 'negative' ? 'not ' : '') + e.label;
    if (e.modality && e.modality !== 'asserted') t += ' (' + e.modality + ')';
    if (e.vocabulary === 'open') t += ' [open]';
    return t;
  }

  function facts(rows) {
    var dl = el('dl', 'kg-facts');
    rows.forEach(function (r) {
      if (r[1] === '' || r[1] === undefined || r[1] === null) return;
      dl.appendChild(el('dt', null, r[0]));
      dl.appendChild(el('dd', null, String(r[1])));
    });
    return dl;
  }

  function showNode(n) {
    panel.textContent = '';
    var h = el('h2', 'kg-title');
    h.appendChild(swatch(n.color));
    h.appendChild(document.createTextNode(n.label));
    panel.appendChild(h);
    panel.appendChild(facts([
      ['type', n.type], ['mentions', n.mentions], ['articles', n.articles], ['aliases', (n.aliases || '').split('|').join(', ')],
      ['Wikidata', n.qid], ['first seen', n.start], ['community', n.community], ['id', n.id]
    ]));
    var rels = n.out.map(function (e) { return [e, 'out']; }).concat(n.inc.map(function (e) { return [e, 'in']; }));
    rels.sort(function (a, b) { return b[0].weight - a[0].weight; });
    panel.appendChild(el('h3', null, 'Relations (' + rels.length + ')'));
    if (!rels.length) panel.appendChild(el('p', 'kg-more', 'none'));
    rels.forEach(function (pair) {
      var e = pair[0];
      var item = el('div', 'kg-relation' + (e.polarity === 'negative' ? ' kg-negative' : ''));
      var head = el('div', 'kg-relation-head');
      if (pair[1] === 'out') {
        head.appendChild(el('b', null, n.label));
        var r1 = el('a', 'kg-rel', ' ' + relationText(e) + ' ');
        r1.href = '#';
        r1.addEventListener('click', function (ev) { ev.preventDefault(); select('edge', e, false); });
        head.appendChild(r1);
        head.appendChild(nodeLink(e.tgt));
      } else {
        head.appendChild(nodeLink(e.src));
        var r2 = el('a', 'kg-rel', ' ' + relationText(e) + ' ');
        r2.href = '#';
        r2.addEventListener('click', function (ev) { ev.preventDefault(); select('edge', e, false); });
        head.appendChild(r2);
        head.appendChild(el('b', null, n.label));
      }
      var meta = [];
      if (e.attributed_to) meta.push('according to ' + e.attributed_to);
      meta.push(e.weight + ' article' + (e.weight > 1 ? 's' : ''));
      head.appendChild(el('span', 'kg-meta', ' — ' + meta.join(', ')));
      item.appendChild(head);
      item.appendChild(evidenceList(e, 2));
      panel.appendChild(item);
    });
  }

  function showEdge(e) {
    panel.textContent = '';
    var h = el('h2', 'kg-title');
    h.appendChild(nodeLink(e.src));
    h.appendChild(el('span', e.polarity === 'negative' ? 'kg-rel kg-negative' : 'kg-rel', ' ' + relationText(e) + ' '));
    h.appendChild(nodeLink(e.tgt));
    panel.appendChild(h);
    panel.appendChild(facts([
      ['relation', e.label],
      ['vocabulary', e.vocabulary === 'open' ? 'open: the verb phrase of the text, not a predicate of the vocabulary' : e.vocabulary],
      ['polarity', e.polarity], ['modality', e.modality], ['according to', e.attributed_to],
      ['articles', e.weight], ['confidence', e.confidence], ['first reported', e.start], ['id', e.id]
    ]));
    panel.appendChild(el('h3', null, 'Evidence'));
    panel.appendChild(evidenceList(e, 50));
  }

  function showSummary() {
    panel.textContent = '';
    panel.appendChild(el('p', null, data.summary));
    panel.appendChild(el('p', 'kg-more', 'Click a node or an edge to see its relations and the sentences that support them. ' +
      'Scroll or use + / − to zoom, drag to move, Esc to clear.'));
  }

  function select(kind, item, center) {
    selected = item ? {kind: kind, item: item} : null;
    if (!item) showSummary();
    else if (kind === 'node') { showNode(item); if (center) centerOn(item); }
    else showEdge(item);
    draw();
  }

  // ------------------------------------------------------------ search and legend
  function norm(s) { return (s || '').toLowerCase(); }

  function search(q) {
    q = norm(q).trim();
    results.textContent = '';
    if (!q) { matches = []; draw(); return matches; }
    matches = nodes.filter(function (n) {
      return visible(n) && (norm(n.label).indexOf(q) >= 0 || norm(n.aliases).indexOf(q) >= 0);
    }).sort(function (a, b) {
      var pa = norm(a.label).indexOf(q) === 0 ? 0 : 1, pb = norm(b.label).indexOf(q) === 0 ? 0 : 1;
      return pa - pb || b.size - a.size;
    });
    matches.slice(0, 12).forEach(function (n) {
      var li = el('li');
      li.appendChild(swatch(n.color));
      li.appendChild(nodeLink(n));
      results.appendChild(li);
    });
    if (!matches.length) results.appendChild(el('li', 'kg-more', 'no match'));
    draw();
    return matches;
  }

  function buildLegend() {
    legend.textContent = '';
    data.types.forEach(function (t) {
      var li = el('li', 'kg-legend-item');
      li.appendChild(swatch(t.color));
      li.appendChild(el('span', null, t.type + ' (' + t.count + ')'));
      li.title = 'click to hide or show ' + t.type;
      if (hiddenTypes[t.type]) {
        li.classList.add('kg-off');
        if (t.type === 'Quotation') li.lastChild.textContent += ' \u2013 click to show';
      }
      li.addEventListener('click', function () {
        hiddenTypes[t.type] = !hiddenTypes[t.type];
        li.classList.toggle('kg-off', !!hiddenTypes[t.type]);
        if (selected && selected.kind === 'node' && !visible(selected.item)) select(null, null);
        draw();
      });
      legend.appendChild(li);
    });
    var neg = el('li', 'kg-legend-item kg-legend-edge');
    var line = el('span', 'kg-dash');
    line.style.borderTopColor = data.negative_color;
    neg.appendChild(line);
    neg.appendChild(el('span', null, 'negated relation'));
    legend.appendChild(neg);
    if (edges.some(function (e) { return e.vocabulary === 'open'; })) {
      var open = el('li', 'kg-legend-item kg-legend-open');
      var dots = el('span', 'kg-dots');
      open.appendChild(dots);
      open.appendChild(el('span', null, 'open relation (the text\'s verb; click to hide)'));
      open.addEventListener('click', function () {
        hideOpen = !hideOpen;
        open.classList.toggle('kg-off', hideOpen);
        if (selected && selected.kind === 'edge' && !edgeVisible(selected.item)) select(null, null);
        draw();
      });
      legend.appendChild(open);
    }
  }

  // ------------------------------------------------------------ events
  var drag = null;
  canvas.addEventListener('mousedown', function (ev) {
    drag = {x: ev.clientX, y: ev.clientY, tx: view.tx, ty: view.ty, moved: false};
  });
  window.addEventListener('mousemove', function (ev) {
    var rect = canvas.getBoundingClientRect();
    if (drag) {
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) { view.tx = drag.tx + dx; view.ty = drag.ty + dy; draw(); }
      return;
    }
    if (ev.target !== canvas) return;
    var n = nodeAt(ev.clientX - rect.left, ev.clientY - rect.top);
    var h = n || edgeAt(ev.clientX - rect.left, ev.clientY - rect.top);
    canvas.style.cursor = h ? 'pointer' : 'grab';
    if (n !== hover) { hover = n; draw(); }
  });
  window.addEventListener('mouseup', function (ev) {
    if (!drag) return;
    var moved = drag.moved;
    drag = null;
    if (moved || ev.target !== canvas) return;
    var rect = canvas.getBoundingClientRect();
    var px = ev.clientX - rect.left, py = ev.clientY - rect.top;
    var n = nodeAt(px, py);
    if (n) { select('node', n, false); return; }
    var e = edgeAt(px, py);
    if (e) { select('edge', e, false); return; }
    select(null, null);
  });
  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var rect = canvas.getBoundingClientRect();
    zoomAt(ev.clientX - rect.left, ev.clientY - rect.top, Math.exp(-ev.deltaY * 0.0015));
  }, {passive: false});
  document.getElementById('kg-zoom-in').addEventListener('click', function () { zoomAt(width / 2, height / 2, 1.4); });
  document.getElementById('kg-zoom-out').addEventListener('click', function () { zoomAt(width / 2, height / 2, 1 / 1.4); });
  document.getElementById('kg-fit').addEventListener('click', function () { fit(); draw(); });
  searchBox.addEventListener('input', function () { search(searchBox.value); });
  searchBox.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && matches.length) select('node', matches[0], true);
  });
  window.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') { searchBox.value = ''; search(''); select(null, null); }
  });
  window.addEventListener('resize', function () { resize(); draw(); });

  // ------------------------------------------------------------ start
  nodes.forEach(function (n) { n.short = n.label.length > 40 ? n.label.slice(0, 38) + '…' : n.label; });
  buildLegend();
  resize();
  fit();
  showSummary();
  draw();
  if (data.focus && data.focus.length && byId[data.focus[0]]) select('node', byId[data.focus[0]], false);

  window.kgViz = {
    data: data,
    ready: true,
    screenPosition: function (id) {
      var n = byId[id];
      var rect = canvas.getBoundingClientRect();
      return n ? {x: rect.left + sx(n), y: rect.top + sy(n), r: radius(n)} : null;
    },
    edgeScreenPosition: function (id) {
      var e = edgeById[id];
      var rect = canvas.getBoundingClientRect();
      return e ? {x: rect.left + (sx(e.src) + sx(e.tgt)) / 2, y: rect.top + (sy(e.src) + sy(e.tgt)) / 2} : null;
    },
    select: function (id) { var n = byId[id]; if (n) select('node', n, true); else if (edgeById[id]) select('edge', edgeById[id], false); },
    search: search,
    fit: function () { fit(); draw(); },
    selected: function () { return selected ? selected.item.id : null; },
    visible: function (id) { var n = byId[id]; return !!n && visible(n); },
    view: view
  };
})();
