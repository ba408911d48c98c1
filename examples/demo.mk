# examples/demo.mk — `make demo`: every escape case recorded under
# `escapade record` and shown through every viewer output, into demo-out/ of
# the build tree (examples/demo.sh says what it writes).  The prerequisites
# build the viewer, the tracer it preloads and the examples; the script builds
# nothing.  Cases: make demo DEMO_CASES="a p q".
EXTRA_DIST += examples/demo.sh

.PHONY: demo
demo: viewer/escapade tracer/libescapade.la $(examples_programs)
	DEMO_CASES='$(DEMO_CASES)' $(SHELL) $(srcdir)/examples/demo.sh -b . -o demo-out

clean-local: clean-demo
.PHONY: clean-demo
clean-demo:
	-rm -rf demo-out
