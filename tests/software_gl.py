"""What of Mesa's software OpenGL a process holds: its `llvmpipe` threads and its libraries.

Without a GPU (Xvfb) an OpenGL context is drawn by Mesa's llvmpipe, on threads named
`llvmpipe-N` (two more per context on this 2-core machine), from `swrast_dri.so` loaded through
`libGLX_mesa` or `libEGL_mesa`. Qt itself maps only the vendor-neutral dispatch libraries
(`libGL`, `libGLX`, `libEGL`, `libGLdispatch`), which draw nothing: they are not counted.
"""

from __future__ import annotations

from pathlib import Path

MESA_LIBRARIES = ("libGLX_mesa", "libEGL_mesa", "_dri.so")


def software_gl(pid: str = "self") -> dict[str, list[str]]:
    """`{"threads": [llvmpipe thread names], "libraries": [Mesa libraries mapped]}` of `pid`."""
    proc = Path("/proc") / pid
    threads = []
    for task in (proc / "task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
        except OSError:  # the thread ended meanwhile
            continue
        if name.startswith("llvmpipe"):
            threads.append(name)
    libraries = set()
    for line in (proc / "maps").read_text().splitlines():
        path = line.split()[-1] if len(line.split()) >= 6 else ""
        if any(part in path for part in MESA_LIBRARIES):
            libraries.add(Path(path).name)
    return {"threads": sorted(threads), "libraries": sorted(libraries)}
