"""Lowers the CPU priority of the process that imports it: the upload workers' fork server.

:mod:`geo.worker` has the fork server import this module first, before the readers it
preloads (pandas, geopandas, shapely, pandera: a few seconds of CPU, once per server). Done
at normal priority, those imports competed with the sessions stepping through the map on
this 2-core machine while the first upload was being checked; done here at
``settings.UPLOAD_WORKER_NICENESS``, they and every worker forked from the server (which
inherits its priority) are background work. Nothing else imports this module.
"""

from __future__ import annotations

import os

from geo import settings

# A side effect on import is what this module is for: the fork server only imports modules.
os.nice(max(0, settings.UPLOAD_WORKER_NICENESS - os.nice(0)))
