from congress import jobs
from congress.badges import services


@jobs.task()
def render_print_run(run_id: int) -> None:
    services.execute_print_run(run_id)
