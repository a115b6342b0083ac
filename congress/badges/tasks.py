from congress import jobs
from congress.badges import print_runs


@jobs.task()
def render_print_run(run_id: int) -> None:
    print_runs.execute_print_run(run_id)
