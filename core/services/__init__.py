"""Services: one function per user action; the pages and the ``igov`` command line call only these."""
