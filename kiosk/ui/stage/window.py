"""The projector output: a borderless black fullscreen window that shows only audience content.

Layers, bottom to top, all native child windows filling the stage (a plain Qt widget cannot be
drawn over a native video window on X11, so every layer is native and "showing" one means
raising it):

* video surfaces "A" and "B": the player hands their window ids to libvlc (`set_xwindow`);
  libvlc scales the film to fit, so black bars letterbox or pillarbox it;
* the card layer (`CardView`): holding slide, title cards, intermission, end, black;
* the caption (`set_subtitle`): the current subtitle line in an opaque box above the film (see
  `kiosk.ui.stage.caption`). Alternatively libvlc can draw the SRT itself (see
  `kiosk.ui.stage.subtitles`); use one or the other, not both;
* the curtain: the black overlay. Fading needs blending, which X11 cannot do between native
  windows without a compositor, so the curtain paints a still of what was on screen (the
  card, or the paused film frame grabbed from the screen) under a growing black veil.

The window never takes keyboard focus, stays out of the taskbar and hides the mouse pointer,
so the console keeps the keyboard and the audience sees nothing else.
"""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtCore import QEasingCurve, QRect, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QImage,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QScreen,
    QShowEvent,
)
from PySide6.QtWidgets import QWidget

from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.render.cards import Card, HoldingCard
from kiosk.ui.stage.caption import CaptionBox
from kiosk.ui.stage.card_view import CardView, render_card
from kiosk.ui.stage.screens import ScreenFollower, compositor_aliases
from kiosk.ui.stage.x11 import flush_requests, skip_taskbar_and_pager

log = logging.getLogger(__name__)

SLOTS = ("A", "B")


class Layer(Enum):
    """What the audience sees under the curtain."""

    CARD = "card"
    VIDEO_A = "A"
    VIDEO_B = "B"


def _native_black(widget: QWidget) -> None:
    """Make `widget` a native X window that is black, opaque and hides the pointer."""
    widget.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
    widget.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors)
    widget.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    widget.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
    widget.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
    widget.setAutoFillBackground(False)
    widget.setCursor(Qt.CursorShape.BlankCursor)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)


class VideoSurface(QWidget):
    """A native black window libvlc draws one film player's picture into."""

    def __init__(self, slot: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.slot = slot
        self.setObjectName(f"video-surface-{slot}")
        _native_black(self)
        # Qt never paints it on screen: libvlc draws into this very window, and raising it at
        # a cut makes X expose it. A Qt repaint then would flash black until libvlc's next
        # picture; unpainted (X background None), the old film's last frame stays up instead.
        self.setUpdatesEnabled(False)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Black (only for grab(): on screen, libvlc draws this window)."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.end()


class Curtain(QWidget):
    """The black overlay: a still of the picture under a black veil of `level` (0 to 1)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("curtain")
        _native_black(self)
        self.level = 1.0
        self.still: QPixmap | None = None
        self.slide: QImage | None = None  # shown instead of plain black once fully down

    def paintEvent(self, event: QPaintEvent) -> None:
        """The still (if any) under black at the current level; the slide, if one is up."""
        painter = QPainter(self)
        if self.slide is not None and self.level >= 1.0:
            painter.drawImage(self.rect(), self.slide)
        elif self.still is not None and self.level < 1.0:
            painter.drawPixmap(self.rect(), self.still)
            painter.fillRect(self.rect(), QColor(0, 0, 0, round(255 * self.level)))
        else:
            painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.end()


class StageWindow(QWidget):
    """Borderless black fullscreen window on the projector screen; shows only audience content.

    `video_surface("A")`/`("B")` are native windows for libvlc that exist from construction and
    live as long as the window; `show_video` and `show_card` are the cuts; `set_black` fades
    the black overlay in or out. The window follows its screen when it is unplugged and
    returns when it is plugged back in.
    """

    frame_shown = Signal()  # after each repaint of the card layer
    black_changed = Signal(bool)  # once a fade (or cut) to or from black has finished

    def __init__(
        self, config: EventConfig, programme: Programme, screen_name: str | None = None
    ) -> None:
        super().__init__(None)
        self.config = config
        self.programme = programme
        self.setObjectName("stage")
        self.setWindowTitle(f"{config.name_en} — projector")
        # A normal window (window managers do not make a Qt.Tool window properly fullscreen);
        # the taskbar is told to skip it once it is mapped (x11.skip_taskbar_and_pager).
        self.setWindowFlags(
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setStyleSheet("")
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("black"))
        self.setPalette(palette)

        self._surfaces = {slot: VideoSurface(slot, self) for slot in SLOTS}
        self.cards = CardView(self)
        _native_black(self.cards)
        self.cards.setObjectName("cards")
        self.cards.frame_shown.connect(self.frame_shown)
        self.caption = CaptionBox(self)
        _native_black(self.caption)
        self.caption.hide()
        self.curtain = Curtain(self)
        self._layer = Layer.CARD
        self._black = False
        self._subtitle: str | None = None
        self._fade = QVariantAnimation(self)
        self._fade.setEasingCurve(QEasingCurve.Type.InOutSine)
        self._fade.valueChanged.connect(self._set_curtain_level)
        self._fade.finished.connect(self._fade_finished)
        self._fade_target = False

        self.cards.set_card(HoldingCard(config, programme))
        self.cards.raise_()
        self.curtain.hide()
        self._follower = ScreenFollower(
            screen_name, self._move_to, self, aliases=compositor_aliases()
        )
        self._follower.apply()  # show() now opens fullscreen on the projector

    # --- the interface the show controller uses -----------------------------------------

    def video_surface(self, slot: str) -> QWidget:
        """The native window of player `slot` ("A" or "B"); pass its winId() to set_xwindow."""
        try:
            return self._surfaces[slot]
        except KeyError:
            raise ValueError(f"no video slot {slot!r}; the stage has {SLOTS}") from None

    def show_video(self, slot: str) -> None:
        """Cut to the picture of player `slot` (raise its surface over everything else)."""
        surface = self.video_surface(slot)
        surface.raise_()
        self._layer = Layer(slot)
        self.cards.set_active(False)
        self._keep_curtain_on_top()
        flush_requests()  # the raise must reach the X server before libvlc draws

    def prepare_card(self, card: Card) -> None:
        """Render a card's images ahead, so putting it up next starts without delay."""
        self.cards.prepare(card)

    def show_card(self, card: Card, animate: bool = False) -> None:
        """Cut to a card (raise the card layer with this content); `animate`: a reveal card
        plays its entrance."""
        self.cards.set_card(card, animate=animate)
        self.cards.raise_()
        self._layer = Layer.CARD
        self.cards.set_active(not self._black)
        self._keep_curtain_on_top()

    def set_black(self, black: bool, fade_s: float = 0.0) -> None:
        """Fade to black over `fade_s` seconds (0: cut), or back from black.

        Over a card both ways are real fades. Over a film the fade down runs over a still of
        the (paused) frame grabbed from the screen; coming back up over a film is a cut,
        because the film is already playing again under the curtain.
        """
        if black == self._fade_target and (self._fade.state() == QVariantAnimation.State.Running):
            return
        if black == self._black and self._fade.state() != QVariantAnimation.State.Running:
            return
        self._fade.stop()
        self._fade_target = black
        start = self.curtain.level if self.curtain.isVisible() else 0.0
        if black:
            if not self.curtain.isVisible():
                self.curtain.still = self._grab_picture() if fade_s > 0 else None
                self.curtain.level = 0.0
                self.curtain.setGeometry(self.rect())
                self.curtain.show()
                self.curtain.raise_()
            self.cards.set_active(False)
            self._animate(start, 1.0, fade_s)
            return
        self.curtain.slide = None  # lifting the black takes the slide away
        if self._layer is not Layer.CARD or fade_s <= 0:
            self._set_curtain_level(0.0)
            self._fade_finished()
            return
        self.curtain.still = self.cards.grab()
        self._animate(start if self.curtain.isVisible() else 1.0, 0.0, fade_s)

    def set_slide(self, card: Card | None) -> None:
        """Show `card` (the technical-difficulties slide) on the black curtain instead of plain
        black, or take it away (None). Only while black: lifting the black takes it away too."""
        if card is None:
            self.curtain.slide = None
        else:
            self.curtain.slide = render_card(card, self.size()).image
        self.curtain.update()

    @property
    def slide_up(self) -> bool:
        """True while a slide is on the curtain."""
        return self.curtain.slide is not None

    @property
    def slide_image(self) -> QImage | None:
        """The slide on the curtain as drawn (for the console's preview), or None."""
        return self.curtain.slide

    def set_subtitle(self, text: str | None, level: float = 1.0) -> None:
        """Show this subtitle over the film (boxed, CJK font, at `level` of full white, so it
        fades with the picture); None or "" hides it."""
        self._subtitle = text or None
        self.caption.set_level(level)
        self._update_caption()

    @property
    def subtitle(self) -> str | None:
        """The subtitle line on screen over the film (None: none)."""
        return self._subtitle

    def place_on_screen(self, screen_name: str | None) -> None:
        """Go fullscreen on the screen of that name (None: the first that is not primary)."""
        self._follower.wanted = screen_name
        self._follower.apply()

    def screen_aliases(self) -> dict[str, str]:
        """The compositor's screen names -> Qt's (empty outside a GNOME Wayland session)."""
        return dict(self._follower.aliases)

    def screen_name(self) -> str:
        """The name of the screen the stage is on now."""
        handle = self.windowHandle()
        screen = handle.screen() if handle is not None else self.screen()
        return screen.name() if screen is not None else ""

    # --- state for the console and for tests --------------------------------------------

    @property
    def layer(self) -> Layer:
        """What the audience sees under the curtain."""
        return self._layer

    @property
    def showing_card(self) -> Card | None:
        """The card the audience sees (None: a film's picture, or black)."""
        if self._layer is not Layer.CARD or self.black:
            return None
        return self.cards.card

    @property
    def black(self) -> bool:
        """True while the black overlay is (or is fading) down."""
        if self._fade.state() == QVariantAnimation.State.Running:
            return self._fade_target
        return self._black

    def showEvent(self, event: QShowEvent) -> None:
        """Check the placement once mapped (the window manager may have placed it elsewhere);
        a live card starts ticking once the audience can see it."""
        super().showEvent(event)
        QTimer.singleShot(100, self._settle_after_show)
        self.cards.set_active(self._layer is Layer.CARD and not self._black)

    def start(self) -> None:
        """Show the stage fullscreen on its screen, without taking focus (same as show())."""
        self._follower.apply()
        self.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The stage closes only with the app; its surfaces must outlive the players."""
        self._fade.stop()
        super().closeEvent(event)

    # --- internals -----------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Every layer fills the whole window."""
        for child in (*self._surfaces.values(), self.cards, self.curtain):
            child.setGeometry(QRect(0, 0, self.width(), self.height()))
        if self._subtitle is not None:
            self.caption.set_text(self._subtitle, self.size())
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Black behind everything (seen only for an instant while the layers are created)."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.end()

    def _move_to(self, screen: QScreen) -> None:
        geometry = screen.geometry()
        self.winId()  # the native window exists before it is first shown
        handle = self.windowHandle()
        if self.isVisible() and self.geometry() == geometry and self.isFullScreen():
            return
        log.info("stage on screen %s (%dx%d)", screen.name(), geometry.width(), geometry.height())
        if self.isVisible():
            # window managers keep a fullscreen window on its monitor: leave fullscreen, move,
            # and go fullscreen again there
            self.setWindowState(Qt.WindowState.WindowNoState)
        if handle is not None:
            handle.setScreen(screen)
        self.setGeometry(geometry)
        # not showFullScreen(): it would also ask for keyboard focus
        self.setWindowState(Qt.WindowState.WindowFullScreen)

    def _settle_after_show(self) -> None:
        self._follower.apply()
        skip_taskbar_and_pager(int(self.winId()))

    def _keep_curtain_on_top(self) -> None:
        self._update_caption()
        if self.curtain.isVisible():
            self.curtain.raise_()

    def _update_caption(self) -> None:
        """The caption shows only over a film, never over a card or black."""
        wanted = (
            self._subtitle is not None
            and self._layer is not Layer.CARD
            and not (self.curtain.isVisible() and self.curtain.level >= 1.0)
        )
        if not wanted:
            self.caption.hide()
            return
        assert self._subtitle is not None
        if self._subtitle != self.caption.text or self.caption.isHidden():
            self.caption.set_text(self._subtitle, self.size())
        self.caption.show()
        self.caption.raise_()
        if self.curtain.isVisible():
            self.curtain.raise_()

    def _grab_picture(self) -> QPixmap:
        """What the audience sees now: the card rendered, or the film frame read off the screen."""
        if self._layer is Layer.CARD:
            return self.cards.grab()
        screen = self.windowHandle().screen() if self.windowHandle() else None
        if screen is None:
            return QPixmap()
        surface = self._surfaces[self._layer.value]
        return screen.grabWindow(surface.winId())

    def _animate(self, start: float, end: float, fade_s: float) -> None:
        if fade_s <= 0:
            self._set_curtain_level(end)
            self._fade_finished()
            return
        self._fade.setStartValue(start)
        self._fade.setEndValue(end)
        self._fade.setDuration(round(fade_s * 1000))
        self._fade.start()

    def _set_curtain_level(self, level: object) -> None:
        self.curtain.level = float(level)  # type: ignore[arg-type]
        self.curtain.update()

    def _fade_finished(self) -> None:
        self._black = self._fade_target
        if self._black:
            self.curtain.still = None
            self.curtain.level = 1.0
            self.curtain.update()
        else:
            self.curtain.hide()
            self.curtain.still = None
            self.cards.set_active(self._layer is Layer.CARD)
        self._update_caption()
        self.black_changed.emit(self._black)
