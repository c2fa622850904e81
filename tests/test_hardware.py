from unspin.hardware import cpu_flags, cpu_model, cpu_summary

INTEL = """processor\t: 0
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_tile amx_int8
"""
AMD = """processor\t: 0
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse2 avx2
"""


def test_summary_names_the_model_and_what_the_int8_and_bf16_kernels_can_use():
    assert cpu_model(INTEL) == "Intel(R) Xeon(R) Platinum 8480+"
    assert {"avx512_vnni", "amx_tile"} <= cpu_flags(INTEL)
    amd = cpu_summary(AMD)
    assert amd.startswith("AMD EPYC 7B12, ") and "; avx2 (no avx512f" in amd and "avx512_bf16" in amd
    assert "(no avx_vnni)" in cpu_summary(INTEL)


def test_summary_without_cpuinfo_still_says_something():
    assert cpu_flags("") == set() and cpu_summary("").endswith("cores")
    assert isinstance(cpu_summary(), str) and cpu_summary()  # this machine, whatever it is


def blas() -> list[int]:
    """Threads of each BLAS library loaded (numpy's among them)."""
    import numpy  # noqa: F401  loads its BLAS
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_threads_caps_numpys_blas_inside_and_restores_it_after(monkeypatch):
    from unspin.hardware import blas_threads, threads_setting

    before = blas()
    with blas_threads(1):
        assert blas() and all(n == 1 for n in blas())
    assert blas() == before
    monkeypatch.setenv("UNSPIN_THREADS", "3")
    assert threads_setting() == 3


def test_blas_threads_nested_or_overlapping_restores_only_when_the_last_leaves():
    from unspin.hardware import blas_threads

    before = blas()
    outer = blas_threads(1)
    outer.__enter__()
    inner = blas_threads(1)
    inner.__enter__()
    outer.__exit__(None, None, None)  # left out of order, as two threads may
    assert all(n == 1 for n in blas())
    inner.__exit__(None, None, None)
    assert blas() == before
