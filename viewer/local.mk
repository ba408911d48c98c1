# viewer/local.mk — the viewer's build.
