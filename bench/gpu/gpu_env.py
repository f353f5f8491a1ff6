"""The machine a GPU measurement ran on, for the comment header of its CSV (shared by measure_*.py)."""
import platform
import subprocess
import time


def environment(torch):
    """gpu, software and date lines as strings: {'gpu': ..., 'driver': ..., 'date': ...}."""
    props = torch.cuda.get_device_properties(0)
    try:
        drv = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True).stdout.strip()
    except OSError:
        drv = "unknown"
    try:
        cslt = torch.backends.cusparselt.version()
    except Exception:  # noqa: BLE001 -- only for the header
        cslt = "unknown"
    return {
        "gpu": f"{props.name}, {props.multi_processor_count} SMs, L2 {getattr(props, 'L2_cache_size', 0)} B",
        "driver": f"{drv}; torch {torch.__version__}; cuda {torch.version.cuda}; cusparselt {cslt}",
        "date": f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; host {platform.node()}",
    }
