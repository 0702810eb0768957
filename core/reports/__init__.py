"""Reports: what people read, built from analysis values: page figures and tables, the PDF and Markdown documents."""
