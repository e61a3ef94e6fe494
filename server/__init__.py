"""crtkg's HTTP layer: the SPARQL 1.1 endpoint and the web page.

Not built yet (issue 'The SPARQL 1.1 endpoint and its web page'). It will answer from
the same build artifact and the same engine as the CLI (`graph.artifact.open_store`,
`graph.query.run_query`).
"""
