"""The query form served at ``/``, with the entity search box."""

from __future__ import annotations

INDEX_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title>
<link rel="icon" href="data:,"><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}textarea{{width:100%;font-family:monospace}}
code{{background:#eee;padding:0 .2em}}</style></head>
<body><h1>kg SPARQL endpoint</h1>
<p>Store <code>{store}</code>. Endpoint <code>{endpoint}</code> (SPARQL 1.1 Protocol; also usable
from YASGUI, SPARQLWrapper, curl). The default graph is the merged view: each entity, statement,
quotation, article and plain triple once; article graphs (evidence, texts) are named graphs
(<code>GRAPH ?g</code>). The prefixes rdf, rdfs, xsd, owl, skos, schema, prov, kg, kgg, person, country, ... are declared.
{mode}; time limit {timeout:g} s; at most {max_rows} rows; <code>SERVICE</code> is refused.</p>
<form method="get" action="/search" role="search"><label>Find an entity <input type="search" name="q"
placeholder="name or alias"></label> <button type="submit">Search</button></form>
<p>Every graph IRI <code>https://w3id.org/newskg/id/…</code> has its page here at <code>/id/…</code>:
entities at <code>/entity/TYPE/NAME</code>, articles at <code>/article/DOC</code> (HTML for a browser,
Turtle with <code>Accept: text/turtle</code>).</p>
<form method="get" action="/sparql">
<textarea name="query" rows="14">{query}</textarea><br>
<label>Results <select name="format">
<option value="html">HTML table</option><option value="json">SPARQL JSON</option><option value="xml">SPARQL XML</option>
<option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="turtle">Turtle (CONSTRUCT)</option><option value="nt">N-Triples (CONSTRUCT)</option>
</select></label> <button type="submit">Run</button></form>
</body></html>
"""
EXAMPLE_QUERY = """SELECT ?subject ?predicate ?object ?polarity ?modality WHERE {
  ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?predicate ; rdf:object ?o ;
      kg:polarity ?polarity ; kg:modality ?modality .
  ?s rdfs:label ?subject . ?o rdfs:label ?object .
} LIMIT 50"""
