# viewer/local.mk — the viewer's build.
include viewer/outputs.mk
include viewer/report.mk
