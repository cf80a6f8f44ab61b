#!/usr/bin/env node
// Reads GraphML and GEXF files with graphology-graphml and graphology-gexf (the parsers of
// Gephi Lite) and prints, as JSON, what they saw: graph type, counts, and every node's and
// edge's attributes. Used by tests/test_export.py; run `npm ci` here first (the Makefile does).
//
//   node read.js graph.graphml graph.gexf > seen.json
'use strict';
const fs = require('fs');
const path = require('path');
const Graph = require('graphology');
const graphml = require('graphology-graphml');
const gexf = require('graphology-gexf');

function summary(file) {
  const text = fs.readFileSync(file, 'utf8');
  const ext = path.extname(file).toLowerCase();
  const parser = ext === '.gexf' ? gexf : graphml;
  const g = parser.parse(Graph, text);
  const nodes = {};
  g.forEachNode((key, attrs) => { nodes[key] = attrs; });
  const edges = [];
  g.forEachEdge((key, attrs, source, target, _sa, _ta, undirected) => {
    edges.push({key, source, target, undirected, attributes: attrs});
  });
  return {
    parser: ext === '.gexf' ? 'graphology-gexf' : 'graphology-graphml',
    type: g.type, multi: g.multi, order: g.order, size: g.size,
    attributes: g.getAttributes(), nodes, edges,
  };
}

const out = {};
for (const file of process.argv.slice(2)) out[file] = summary(file);
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
