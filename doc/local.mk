# doc/local.mk — the doc's build.
EXTRA_DIST += doc/escape-results.md
# The manual pages (installed by make install), and the README's pictures.
dist_man_MANS += doc/escapade.1 doc/gort.3
EXTRA_DIST += doc/img/flame.png doc/img/html.png
