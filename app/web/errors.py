"""Error pages in Vietnamese, without internal detail; a database fault becomes a 503 'try again'."""

import logging

from flask import current_app, g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..crypto.errors import RecordDamaged, RecordErased

log = logging.getLogger("tincay.errors")

MESSAGES = {
    400: (_l("Yêu cầu không hợp lệ"), _l("Trang không hiểu yêu cầu này. Hãy quay lại và thử lại.")),
    403: (_l("Không có quyền"), _l("Bạn không có quyền xem hoặc làm việc này.")),
    404: (_l("Không tìm thấy"), _l("Không có trang hoặc hồ sơ này, hoặc bạn không có quyền xem.")),
    405: (_l("Không hợp lệ"), _l("Thao tác này không được phép theo cách đó.")),
    410: (_l("Hồ sơ đã bị xoá"), _l("Nội dung hồ sơ này đã bị xoá vĩnh viễn và không thể đọc lại.")),
    409: (
        _l("Đã có người sửa trước"),
        _l(
            "Người khác vừa lưu thay đổi trên hồ sơ này. Việc của bạn chưa được "
            "lưu: hãy tải lại trang để xem bản mới rồi làm lại."
        ),
    ),
    413: (_l("Dữ liệu quá lớn"), _l("Nội dung gửi lên quá lớn. Hãy rút ngắn rồi gửi lại.")),
    429: (_l("Quá nhiều yêu cầu"), _l("Bạn thao tác quá nhanh. Vui lòng đợi một lát rồi thử lại.")),
    500: (_l("Đã xảy ra lỗi"), _l("Hệ thống gặp lỗi. Dữ liệu bạn nhập chưa được lưu. Vui lòng thử lại.")),
    503: (
        _l("Tạm thời không lưu được"),
        _l("Hệ thống đang bận hoặc mất kết nối cơ sở dữ liệu. Chưa có gì được lưu. Vui lòng thử lại sau ít phút."),
    ),
}


def render_error(status: int, message=None):
    title, default = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, message=message or default), status


def register(app) -> None:
    from . import unit_of_work

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _l("Phiên làm việc của biểu mẫu đã hết hạn. Hãy tải lại trang rồi gửi lại."))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return render_error(exc.code or 500)

    @app.errorhandler(RecordDamaged)
    def damaged(exc):
        from ..audit import services as audit

        audit.record_independently(
            None,
            "crypto.damaged",
            object_type=exc.table,
            object_id=exc.row_id,
            result="error",
            detail={"column": exc.column},
        )
        return render_template(
            "errors/error.html",
            status=409,
            title=_l("Hồ sơ bị hỏng"),
            message=_l(
                "Một phần hồ sơ này không giải mã được (có thể đã bị sửa trái phép). "
                "Không hiển thị dữ liệu sai. Sự việc đã được ghi nhật ký; hãy báo "
                "quản trị viên."
            ),
        ), 409

    @app.errorhandler(RecordErased)
    def erased(exc):
        # A case erased after the backup it was restored from: the key ring still refuses its data key.
        # (The unit of work undoes the request's work: the answer is an error.)
        return render_error(410)

    @app.errorhandler(StaleDataError)
    def saved_meanwhile(exc):
        # A row changed by someone else between reading and saving, where no form shows both versions:
        # nothing of this request was saved, and reloading shows the newer row.
        unit_of_work.undo()
        return render_error(409)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_down(exc):
        # Log the class only: driver messages can quote the statement's parameters.
        log.error("database error: %s", type(exc).__name__)
        unit_of_work.undo()
        _render_without_user()
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.error("unhandled error: %s", type(exc).__name__)
        unit_of_work.undo()
        _render_without_user()
        return render_error(500)


def _render_without_user() -> None:
    """Show the error page as to a visitor: loading the signed-in user needs the database that just failed
    (when loading it was what failed, the page would otherwise fail again and end as a bare 500)."""
    if "_login_user" not in g:
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]  # set by Flask-Login
