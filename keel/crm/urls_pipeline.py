"""Pages of the pipeline work under /w/crm/ (included by keel.crm.urls, namespace crm)."""

from django.urls import path

from .views import activities, board, calendar, dashboard

urlpatterns = [
    path("board/", board.board_index, name="board-index"),
    path("board/<int:pipeline_id>/", board.board, name="board"),
    path(
        "board/<int:pipeline_id>/move/<int:opportunity_id>/",
        board.move,
        name="board-move",
    ),
    path("activities/", activities.my_activities, name="activities"),
    path(
        "activities/<int:activity_id>/complete/",
        activities.complete,
        name="activity-complete",
    ),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("calendar/<str:token>.ics", calendar.feed, name="calendar-feed"),
]
