"""The controller's duties under the personal-data law (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): consent
evidence and the sensitive-data notice, statistics that honour withdrawn consent, the impact-assessment
dossier, transfer agreements, the retention schedule and the processing register."""

from . import workqueue  # noqa: F401 - registers the work-queue sources
