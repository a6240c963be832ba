//! [`RoomListPager`]: every page of `get_room_list`, one request at a time.

use roomkv_core::tencent::{RoomListCursor, RoomListPage, RoomSummary};

use crate::{Client, Error};

/// Walks the pages of `get_room_list` ([`Client::room_list`]): each
/// [`next_page`](Self::next_page) sends one request from where the previous page ended, until a
/// page has no `Next`.
///
/// A failed page is returned as `Some(Err(..))` and the cursor stays where it was, so calling
/// `next_page` again asks for the same page again. Every request waits for its slot in
/// `get_room_list`'s quota (10/s), so walking many pages is paced, never throttled.
#[derive(Debug)]
pub struct RoomListPager {
    client: Client,
    count: u32,
    next: Option<RoomListCursor>,
    done: bool,
}

impl RoomListPager {
    pub(crate) fn new(client: Client, count: u32) -> Self {
        Self {
            client,
            count,
            next: None,
            done: false,
        }
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Result<RoomListPage, Error>> {
        if self.done {
            return None;
        }
        let page = self
            .client
            .get_room_list(self.next.as_ref(), self.count)
            .await;
        if let Ok(page) = &page {
            self.next.clone_from(&page.next);
            self.done = page.is_last();
        }
        Some(page)
    }

    /// Every remaining room, page after page, in the order Tencent lists them.
    ///
    /// # Errors
    ///
    /// The first page that fails; the rooms read before it are dropped.
    pub async fn collect_all(mut self) -> Result<Vec<RoomSummary>, Error> {
        let mut rooms = Vec::new();
        while let Some(page) = self.next_page().await {
            rooms.extend(page?.rooms);
        }
        Ok(rooms)
    }
}
