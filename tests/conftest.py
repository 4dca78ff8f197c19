import os

# Keep BLAS single-threaded in tests: faster and deterministic on small CI boxes.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
